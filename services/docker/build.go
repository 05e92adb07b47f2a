package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/pkg/jsonmessage"
)

// BuildOptions are the settings of one image build.
type BuildOptions struct {
	Tags       []string
	Labels     map[string]string
	Dockerfile string // path inside the context; default "Dockerfile"
	NoCache    bool
	BuildArgs  map[string]string
}

// BuildMessage is one decoded message of the engine's build stream.
type BuildMessage struct {
	Stream  string // output of a build step, newline included
	Status  string // pull status of a base image layer
	ID      string // the layer a Status is about
	Current int64  // progress of Status, bytes
	Total   int64
}

// BuildError is a failed build: the engine's message and the output of the
// failing step, so the person sees why without rerunning anything.
type BuildError struct {
	Message string
	Output  []string // the last lines of build output before the failure
}

func (e *BuildError) Error() string { return "image build failed: " + e.Message }

// BuildImage builds an image from a tar build context with the engine's
// classic build API, calling onMessage for each message of the stream. It
// returns the new image's id.
func (c *Client) BuildImage(ctx context.Context, buildContext io.Reader, opts BuildOptions, onMessage func(BuildMessage)) (string, error) {
	args := map[string]*string{}
	for k, v := range opts.BuildArgs {
		args[k] = &v
	}
	resp, err := c.api.ImageBuild(ctx, buildContext, build.ImageBuildOptions{
		Tags:        opts.Tags,
		Labels:      opts.Labels,
		Dockerfile:  opts.Dockerfile,
		NoCache:     opts.NoCache,
		BuildArgs:   args,
		Remove:      true,
		ForceRemove: true,
		Version:     build.BuilderV1,
	})
	if err != nil {
		return "", fmt.Errorf("start image build: %w", err)
	}
	defer resp.Body.Close()
	var id string
	var recent []string
	err = eachMessage(ctx, resp.Body, func(m *jsonmessage.JSONMessage) error {
		if m.Error != nil {
			return &BuildError{Message: strings.TrimSpace(m.Error.Message), Output: recent}
		}
		if m.Aux != nil {
			var aux struct {
				ID string `json:"ID"`
			}
			if json.Unmarshal(*m.Aux, &aux) == nil && aux.ID != "" {
				id = aux.ID
			}
		}
		bm := BuildMessage{Stream: m.Stream, Status: m.Status, ID: m.ID}
		if m.Progress != nil {
			bm.Current, bm.Total = m.Progress.Current, m.Progress.Total
		}
		if m.Stream != "" {
			recent = append(recent, strings.Split(strings.TrimRight(m.Stream, "\n"), "\n")...)
			if len(recent) > 40 {
				recent = recent[len(recent)-40:]
			}
		}
		if onMessage != nil && (bm.Stream != "" || bm.Status != "") {
			onMessage(bm)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if id == "" {
		// Engines that do not send the aux message: resolve the first tag.
		if len(opts.Tags) == 0 {
			return "", errors.New("image build finished without an image id")
		}
		img, err := c.api.ImageInspect(ctx, opts.Tags[0])
		if err != nil {
			return "", fmt.Errorf("inspect built image: %w", err)
		}
		id = img.ID
	}
	return id, nil
}

// ImageExists reports whether the engine has an image by that reference.
func (c *Client) ImageExists(ctx context.Context, ref string) (bool, error) {
	_, err := c.api.ImageInspect(ctx, ref)
	if err == nil {
		return true, nil
	}
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	return false, fmt.Errorf("inspect image %s: %w", ref, err)
}
