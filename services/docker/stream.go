package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/docker/docker/pkg/jsonmessage"
)

// eachMessage reads an engine's stream of JSON messages (a build, pull,
// push or import answers with one), calling fn for each, in-band errors
// included. It returns nil at the end of the stream, fn's error as is, the
// context's error when it ended, or the read error.
func eachMessage(ctx context.Context, r io.Reader, fn func(m *jsonmessage.JSONMessage) error) error {
	dec := json.NewDecoder(r)
	for {
		var m jsonmessage.JSONMessage
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read the engine's answer: %w", err)
		}
		if err := fn(&m); err != nil {
			return err
		}
	}
}
