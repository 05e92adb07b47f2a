package stack

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/errs"
	"github.com/gaiaflow/gaiaflow/services/project"
)

// LogOptions select the log lines to read.
type LogOptions struct {
	// Names are services (airflow) or components (airflow-scheduler);
	// empty means all.
	Names      []string
	Follow     bool
	Tail       int    // lines from the end of each log; negative means all
	Since      string // a duration (10m) or a timestamp
	Timestamps bool
}

// LogLine is one line of a container's output.
type LogLine struct {
	Service   string `json:"service"`
	Component string `json:"component"`
	Stream    string `json:"stream"` // stdout or stderr
	Text      string `json:"text"`
}

// Logs writes the containers' lines to out: one container after the other,
// or all at once as they come with Follow, until ctx ends.
func (s *Stack) Logs(ctx context.Context, o LogOptions, out func(LogLine)) error {
	plan := s.shape()
	for _, name := range o.Names {
		if !slices.Contains(project.ServiceNames, name) && plan.Node(name) == nil {
			return errs.Usagef("name a service (airflow, mlflow, minio, jupyter) or one of its containers, such as airflow-scheduler", "unknown service %q", name)
		}
	}
	list, err := s.eng.ListContainers(ctx, ProjectLabels(s.p.ID()))
	if err != nil {
		return err
	}
	order := map[string]int{}
	for i, n := range plan.Nodes {
		order[n.Component] = i
	}
	var picked []docker.ContainerSummary
	for _, c := range list {
		comp, svc := c.Labels[LabelComponent], c.Labels[LabelService]
		if c.Labels[LabelProject] != s.p.ID() || comp == "" {
			continue
		}
		if len(o.Names) == 0 || slices.Contains(o.Names, svc) || slices.Contains(o.Names, comp) {
			picked = append(picked, c)
		}
	}
	if len(picked) == 0 {
		return errs.Failf("start the stack with `gaiaflow dev start`", "no container of this project to show logs of")
	}
	slices.SortFunc(picked, func(a, b docker.ContainerSummary) int {
		return order[a.Labels[LabelComponent]] - order[b.Labels[LabelComponent]]
	})
	tail := "all"
	if o.Tail >= 0 {
		tail = strconv.Itoa(o.Tail)
	}
	opts := docker.LogOptions{Follow: o.Follow, Tail: tail, Since: o.Since, Timestamps: o.Timestamps}
	var mu sync.Mutex
	emit := func(l LogLine) {
		mu.Lock()
		defer mu.Unlock()
		out(l)
	}
	read := func(c docker.ContainerSummary) error {
		svc, comp := c.Labels[LabelService], c.Labels[LabelComponent]
		stdout := &lineWriter{f: func(t string) { emit(LogLine{svc, comp, "stdout", t}) }}
		stderr := &lineWriter{f: func(t string) { emit(LogLine{svc, comp, "stderr", t}) }}
		err := s.eng.Logs(ctx, c.ID, opts, stdout, stderr)
		stdout.flush()
		stderr.flush()
		if err != nil && ctx.Err() == nil {
			if strings.Contains(err.Error(), "invalid") || strings.Contains(err.Error(), "parse") {
				return errs.Wrap(errs.Usage, err, "give --since a duration such as 10m or a timestamp such as 2026-01-02T15:04:05Z", "read logs")
			}
			return err
		}
		return nil
	}
	if !o.Follow {
		for _, c := range picked {
			if err := read(c); err != nil {
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(picked))
	for _, c := range picked {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- read(c)
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			return err
		}
	}
	return nil
}

// lineWriter cuts a stream into lines.
type lineWriter struct {
	buf bytes.Buffer
	f   func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			// An incomplete line waits for the rest.
			w.buf.Reset()
			w.buf.WriteString(line)
			return len(p), nil
		}
		w.f(strings.TrimRight(line, "\r\n"))
	}
}

func (w *lineWriter) flush() {
	if w.buf.Len() > 0 {
		w.f(w.buf.String())
		w.buf.Reset()
	}
}
