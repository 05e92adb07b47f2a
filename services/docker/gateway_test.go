package docker

import (
	"testing"

	"github.com/docker/docker/api/types/network"
)

// pool is an IPAM pool as an engine lists it: a subnet and the gateway it
// records, if any.
func pool(subnet, gateway string) network.IPAMConfig {
	return network.IPAMConfig{Subnet: subnet, Gateway: gateway}
}

func TestIPv4Gateway(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pools []network.IPAMConfig
		want  string
	}{
		{"recorded", []network.IPAMConfig{pool("172.17.0.0/16", "172.17.0.1")}, "172.17.0.1"},
		{"recorded, not the first address (--bip)", []network.IPAMConfig{pool("10.20.0.0/24", "10.20.0.7")}, "10.20.0.7"},
		// Debian's 20.10 on a machine whose docker0 it created itself.
		{"subnet only", []network.IPAMConfig{pool("172.17.0.0/16", "")}, "172.17.0.1"},
		{"subnet only, small", []network.IPAMConfig{pool("192.168.9.128/25", "")}, "192.168.9.129"},
		{"IPv6 first", []network.IPAMConfig{pool("fd00::/64", "fd00::1"), pool("172.18.0.0/16", "")}, "172.18.0.1"},
		{"recorded wins over an earlier bare subnet", []network.IPAMConfig{pool("172.18.0.0/16", ""), pool("172.19.0.0/16", "172.19.0.9")}, "172.19.0.9"},
		{"no host address", []network.IPAMConfig{pool("172.18.0.4/31", "")}, ""},
		{"nothing usable", []network.IPAMConfig{pool("fd00::/64", ""), pool("garbage", "")}, ""},
		{"none", nil, ""},
	} {
		if got := ipv4Gateway(tc.pools); got != tc.want {
			t.Errorf("%s: ipv4Gateway(%v) = %q, want %q", tc.name, tc.pools, got, tc.want)
		}
	}
}
