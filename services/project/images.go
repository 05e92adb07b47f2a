package project

import "time"

// TaskImage records the task image `dockerize` built last, for a target
// ("docker" for the local engine, "minikube" for the cluster). The stack
// passes it to Airflow as GAIAFLOW_IMAGE; modes checks it exists.
type TaskImage struct {
	Image   string    `json:"image"`  // name:tag
	ID      string    `json:"id"`     // the engine's image id
	Target  string    `json:"target"` // docker or minikube
	Commit  string    `json:"commit"` // source commit, when the project is a git repository
	BuiltAt time.Time `json:"built_at"`
}

const taskImagesFile = "task-images.json"

// TaskImage returns the last task image built for target, if any.
func (s *State) TaskImage(target string) (TaskImage, bool, error) {
	var all map[string]TaskImage
	if _, err := s.ReadJSON(taskImagesFile, &all); err != nil {
		return TaskImage{}, false, err
	}
	ti, ok := all[target]
	return ti, ok, nil
}

// SetTaskImage records the task image built for its target. Callers hold the project lock.
func (s *State) SetTaskImage(ti TaskImage) error {
	all := map[string]TaskImage{}
	if _, err := s.ReadJSON(taskImagesFile, &all); err != nil {
		return err
	}
	all[ti.Target] = ti
	return s.WriteJSON(taskImagesFile, all, 0o644)
}
