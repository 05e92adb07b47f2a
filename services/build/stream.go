package build

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gaiaflow/gaiaflow/services/docker"
	"github.com/gaiaflow/gaiaflow/services/event"
)

// Scope is the event scope of builds.
const Scope = "build"

// Event states of a build.
const (
	StateContext  = "context" // the context is ready: Message gives its size
	StateStep     = "step"    // a Dockerfile step starts: Current/Total number it
	StateCached   = "cached"  // the step was taken from the engine's cache
	StatePull     = "pull"    // a base image layer is being pulled: Current/Total in bytes
	StateUpToDate = "up-to-date"
	StateBuilt    = "built"
	StateReused   = "reused" // an image another build made is used as it is
)

// Phases of a build, the Phase of its event.Timing events.
const (
	PhaseBuild = "build"      // one image build, from sending its context to its end
	PhaseStep  = "build-step" // one Dockerfile step: Current/Total number it, Message is its instruction
)

// Step is one Dockerfile step as the build ran it.
type Step struct {
	Number      int    `json:"number"`
	Total       int    `json:"total"`
	Instruction string `json:"instruction"` // e.g. "RUN pip install ..."
	Cached      bool   `json:"cached"`
}

// StepError is a build that failed in a Dockerfile step: which step, the
// engine's message and the step's output.
type StepError struct {
	Step    Step     // zero when the build failed before its first step
	Message string   // e.g. "The command '/bin/sh -c ...' returned a non-zero code: 1"
	Output  []string // the step's output, last lines
}

func (e *StepError) Error() string {
	if e.Step.Number == 0 {
		return "image build failed: " + e.Message
	}
	return "image build failed at step " + strconv.Itoa(e.Step.Number) + "/" + strconv.Itoa(e.Step.Total) +
		" (" + e.Step.Instruction + "): " + e.Message
}

// Compiled on first use: at start-up they would slow every command, --help included.
var (
	stepRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^Step (\d+)/(\d+) : (.*)$`) })
	// ansiRE matches terminal escape sequences: the engine wraps a step's
	// stderr in red. Events carry plain text; faces choose their colours.
	ansiRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`) })
)

// maxStepOutput bounds the output kept for a failing step.
const maxStepOutput = 60

// stream turns the classic builder's messages into events, and remembers the
// steps and the current step's output.
type stream struct {
	r       event.Reporter
	steps   []Step
	output  []string // output of the current step
	partial string   // an unfinished line
	now     func() time.Time
	began   time.Time // of the current step
}

func newStream(r event.Reporter) *stream { return &stream{r: r, now: time.Now} }

// endStep reports how long the current step took, if one runs.
func (s *stream) endStep() {
	if len(s.steps) == 0 || s.began.IsZero() {
		return
	}
	st, now := s.steps[len(s.steps)-1], s.now()
	msg := st.Instruction
	if st.Cached {
		msg += " (from cache)"
	}
	s.r.Report(event.Event{Time: now, Kind: event.Timing, Scope: Scope, Phase: PhaseStep, Message: msg,
		Current: int64(st.Number), Total: int64(st.Total), Began: s.began, Seconds: now.Sub(s.began).Seconds()})
	s.began = time.Time{}
}

// message handles one message of the engine's build stream.
func (s *stream) message(m docker.BuildMessage) {
	if m.Status != "" {
		s.r.Report(event.Event{Kind: event.Progress, Scope: Scope, State: StatePull,
			Message: strings.TrimSpace(m.ID + " " + m.Status), Current: m.Current, Total: m.Total})
		return
	}
	text := s.partial + strings.ReplaceAll(m.Stream, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	s.partial = lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		s.line(l)
	}
}

// flush handles an unfinished last line.
func (s *stream) flush() {
	if s.partial != "" {
		s.line(s.partial)
		s.partial = ""
	}
}

func (s *stream) line(l string) {
	l = strings.TrimRight(ansiRE().ReplaceAllString(l, ""), "\r")
	if m := stepRE().FindStringSubmatch(l); m != nil {
		n, _ := strconv.Atoi(m[1])
		total, _ := strconv.Atoi(m[2])
		s.endStep()
		s.began = s.now()
		s.steps = append(s.steps, Step{Number: n, Total: total, Instruction: m[3]})
		s.output = nil
		s.r.Report(event.Event{Kind: event.Step, Scope: Scope, State: StateStep, Message: l,
			Current: int64(n), Total: int64(total)})
		return
	}
	trimmed := strings.TrimSpace(l)
	switch {
	case trimmed == "---> Using cache":
		if len(s.steps) > 0 {
			st := &s.steps[len(s.steps)-1]
			st.Cached = true
			s.r.Report(event.Event{Kind: event.Log, Scope: Scope, State: StateCached, Message: "using cache",
				Current: int64(st.Number), Total: int64(st.Total)})
		}
		return
	case strings.HasPrefix(trimmed, "---> "), strings.HasPrefix(l, "Removing intermediate container "),
		strings.HasPrefix(l, "Successfully built "), strings.HasPrefix(l, "Successfully tagged "):
		// The builder's bookkeeping: layer ids and container names.
		return
	}
	s.output = append(s.output, l)
	if len(s.output) > maxStepOutput {
		s.output = s.output[len(s.output)-maxStepOutput:]
	}
	s.r.Report(event.Event{Kind: event.Log, Scope: Scope, Message: l})
}

// failed turns the engine's error into a StepError naming the current step.
func (s *stream) failed(be *docker.BuildError) *StepError {
	s.flush()
	e := &StepError{Message: be.Message, Output: append([]string(nil), s.output...)}
	if len(s.steps) > 0 {
		e.Step = s.steps[len(s.steps)-1]
	}
	return e
}
