package testenv

import "testing"

func TestFreePortsAreNotHandedOutTwice(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		ports, err := FreePorts(5)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ports {
			if seen[p] {
				t.Fatalf("port %d handed out twice within its lease", p)
			}
			seen[p] = true
		}
	}
}
