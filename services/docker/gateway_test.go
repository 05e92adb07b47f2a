package docker

import "testing"

func TestIPv4Gateway(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pools [][2]string
		want  string
	}{
		{"recorded", [][2]string{{"172.17.0.0/16", "172.17.0.1"}}, "172.17.0.1"},
		{"recorded, not the first address (--bip)", [][2]string{{"10.20.0.0/24", "10.20.0.7"}}, "10.20.0.7"},
		// Debian's 20.10 on a machine whose docker0 it created itself.
		{"subnet only", [][2]string{{"172.17.0.0/16", ""}}, "172.17.0.1"},
		{"subnet only, small", [][2]string{{"192.168.9.128/25", ""}}, "192.168.9.129"},
		{"IPv6 first", [][2]string{{"fd00::/64", "fd00::1"}, {"172.18.0.0/16", ""}}, "172.18.0.1"},
		{"recorded wins over an earlier bare subnet", [][2]string{{"172.18.0.0/16", ""}, {"172.19.0.0/16", "172.19.0.9"}}, "172.19.0.9"},
		{"no host address", [][2]string{{"172.18.0.4/31", ""}}, ""},
		{"nothing usable", [][2]string{{"fd00::/64", ""}, {"garbage", ""}}, ""},
		{"none", nil, ""},
	} {
		if got := ipv4Gateway(tc.pools); got != tc.want {
			t.Errorf("%s: ipv4Gateway(%v) = %q, want %q", tc.name, tc.pools, got, tc.want)
		}
	}
}
