package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// TaskRun is one container run to completion, the way Airflow's
// DockerOperator runs a task: create, start, wait, read the logs, copy one
// result file out of the stopped container, remove.
type TaskRun struct {
	Image      string
	Cmd        []string // nil: the image's default command
	Env        []string // KEY=VALUE
	Binds      []string // host:container[:ro]
	Network    string   // empty: the engine's default network
	User       string   // empty: the image's user
	Labels     map[string]string
	ResultPath string // a file to copy out after the run; empty: none
}

// TaskRunResult is how the run ended.
type TaskRunResult struct {
	ExitCode int
	Stdout   string
	Stderr   string
	Result   []byte // the content of ResultPath; nil when it was not written
}

// RunTask runs the container and removes it afterwards, whatever happened.
func (c *Client) RunTask(ctx context.Context, r TaskRun) (TaskRunResult, error) {
	created, err := c.api.ContainerCreate(ctx,
		&container.Config{Image: r.Image, Cmd: r.Cmd, Env: r.Env, User: r.User, Labels: r.Labels},
		&container.HostConfig{Binds: r.Binds, NetworkMode: container.NetworkMode(r.Network)},
		nil, nil, "")
	if err != nil {
		return TaskRunResult{}, fmt.Errorf("create container from %s: %w", r.Image, err)
	}
	id := created.ID
	defer func() {
		// A fresh context: the caller's may be what ended the run.
		rmCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = c.api.ContainerRemove(rmCtx, id, container.RemoveOptions{Force: true})
	}()
	waitC, errC := c.api.ContainerWait(ctx, id, container.WaitConditionNextExit)
	if err := c.api.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return TaskRunResult{}, fmt.Errorf("start container from %s: %w", r.Image, err)
	}
	var res TaskRunResult
	select {
	case w := <-waitC:
		if w.Error != nil {
			return res, fmt.Errorf("wait for container: %s", w.Error.Message)
		}
		res.ExitCode = int(w.StatusCode)
	case err := <-errC:
		return res, fmt.Errorf("wait for container: %w", err)
	}
	logs, err := c.api.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return res, fmt.Errorf("read container logs: %w", err)
	}
	var stdout, stderr bytes.Buffer
	_, err = stdcopy.StdCopy(&stdout, &stderr, logs)
	logs.Close()
	if err != nil {
		return res, fmt.Errorf("read container logs: %w", err)
	}
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	if r.ResultPath != "" {
		data, err := c.copyFileFrom(ctx, id, r.ResultPath)
		if err != nil {
			return res, err
		}
		res.Result = data
	}
	return res, nil
}

// copyFileFrom reads one file out of a container; nil when it does not exist.
func (c *Client) copyFileFrom(ctx context.Context, id, path string) ([]byte, error) {
	rc, _, err := c.api.CopyFromContainer(ctx, id, path)
	if cerrdefs.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("copy %s out of the container: %w", path, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("copy %s out of the container: %w", path, err)
		}
		if h.Typeflag == tar.TypeReg {
			return io.ReadAll(tr)
		}
	}
}
