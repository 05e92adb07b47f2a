package minikubetest

// Status answers for `minikube status -o json`, with the exit code minikube
// gives each (its bitmask: 1 host, 2 cluster, 4 kubeconfig not OK).
func (s *StandIn) Status(name string) Answer {
	switch name {
	case "running", "multinode":
		return Answer{Stdout: s.Fixture("status/" + name + ".json")}
	case "stopped", "nonexistent-node":
		return Answer{Stdout: s.Fixture("status/" + name + ".json"), Code: 7}
	case "paused", "starting":
		return Answer{Stdout: s.Fixture("status/" + name + ".json"), Code: 2}
	case "storage":
		return Answer{Stdout: s.Fixture("status/storage.json"), Code: 1}
	case "absent":
		return Answer{Stdout: s.Fixture("status/profile-not-found.json"), Code: 85}
	}
	s.t.Fatalf("no status fixture %q", name)
	return Answer{}
}

// running are the answers of a running cluster on Linux.
func (s *StandIn) running() map[string]Answer {
	return map[string]Answer{
		"status":         s.Status("running"),
		"profile_list":   {Stdout: s.Fixture("profiles/one.json")},
		"update-context": {Stdout: "* \"" + s.Profile + "\" context has been updated to point to " + NodeIP + ":8443\n", Kubeconfig: s.Kubeconfig(LinuxServer, false)},
		"ssh":            {Stdout: s.Fixture("hosts.txt")},
		"image_ls":       {Stdout: s.Fixture("images.txt")},
		"stop":           {Stdout: "* Stopping node \"" + s.Profile + "\"  ...\n* 1 node stopped.\n", After: map[string]Answer{"status": s.Status("stopped")}},
		"delete":         {Stdout: "* Deleting \"" + s.Profile + "\" in docker ...\n* Removed all traces of the \"" + s.Profile + "\" cluster.\n", After: s.absent()},
	}
}

func (s *StandIn) absent() map[string]Answer {
	return map[string]Answer{
		"status":       s.Status("absent"),
		"profile_list": {Stdout: s.Fixture("profiles/empty.json")},
	}
}

// Running sets the answers of a running cluster: status, profile list,
// update-context (writing the kubeconfig), ssh (the node's /etc/hosts),
// image ls, and stop and delete that change the status.
func (s *StandIn) Running() {
	s.t.Helper()
	for k, a := range s.running() {
		s.Answer(k, a)
	}
}

// Absent sets the answers of a profile that does not exist yet, whose
// `start` succeeds (printing a recorded log, writing the kubeconfig with
// embedded certificates) and leaves a running cluster.
func (s *StandIn) Absent() {
	s.t.Helper()
	for k, a := range s.absent() {
		s.Answer(k, a)
	}
	s.Answer("start", Answer{Stdout: s.Fixture("start.log"), Kubeconfig: s.Kubeconfig(LinuxServer, true), After: s.running()})
	s.Answer("delete", Answer{Stdout: "* Profile \"" + s.Profile + "\" not found\n"})
}

// Stopped sets the answers of a stopped cluster whose start succeeds.
func (s *StandIn) Stopped() {
	s.t.Helper()
	s.Running()
	s.Answer("status", s.Status("stopped"))
	s.Answer("start", Answer{Stdout: s.Fixture("start.log"), Kubeconfig: s.Kubeconfig(LinuxServer, true), After: s.running()})
}

// StartFails makes `start` fail the way minikube does when Docker has too
// little memory.
func (s *StandIn) StartFails() {
	s.t.Helper()
	s.Answer("start", Answer{Stdout: s.Fixture("start.log"), Stderr: s.Fixture("start-fail.err"), Code: 29})
}
