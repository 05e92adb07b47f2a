package stack

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// configHash identifies what a container was created from: its spec, the
// id of its image (a rebuilt image under the same tag is a change) and the
// files copied into it. A container whose label differs is recreated.
func configHash(n *Node, imageID string) string {
	spec := n.Spec
	labels := map[string]string{}
	for k, v := range spec.Labels {
		if k != LabelConfigHash {
			labels[k] = v
		}
	}
	spec.Labels = labels
	h := sha256.New()
	_ = json.NewEncoder(h).Encode(struct {
		Spec    any
		ImageID string
		Dir     string
		Files   any
	}{spec, imageID, n.FilesDir, n.Files})
	return hex.EncodeToString(h.Sum(nil))[:16]
}
