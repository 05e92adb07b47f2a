package scaffold

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Compiled on first use: at start-up it would slow every command, --help included.
var opSpaceRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([<>=!~]=?)\s+`) })

// Python version constraints as projects write them: PEP 440 in
// requires-python (">=3.10,<3.13", "~=3.11", "==3.12.*") and conda match
// specs in environment.yml and pixi ("python >3.10,<3.13", "=3.11",
// "3.11.*", "3.10|3.11", "*"). admittedPythons answers one question: which
// of the Python versions gaiaflow supports does a constraint allow, a
// version being allowed when some release of it (3.12.0, 3.12.7, ...)
// satisfies every clause. So ">3.10" allows 3.10 (3.10.1 > 3.10), and
// "<3.13" does not allow 3.13.

// pyVersion is a release as (major, minor, patch); missing parts are 0.
type pyVersion [3]int

func (v pyVersion) less(w pyVersion) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

// bound is one end of an interval of releases.
type bound struct {
	v         pyVersion
	inclusive bool
	infinite  bool
}

// interval is a set of releases between two bounds.
type interval struct{ lo, hi bound }

var everything = interval{lo: bound{infinite: true}, hi: bound{infinite: true}}

// intersect narrows i by j.
func (i interval) intersect(j interval) interval {
	if !j.lo.infinite && (i.lo.infinite || i.lo.v.less(j.lo.v) || (i.lo.v == j.lo.v && !j.lo.inclusive)) {
		i.lo = j.lo
	}
	if !j.hi.infinite && (i.hi.infinite || j.hi.v.less(i.hi.v) || (i.hi.v == j.hi.v && !j.hi.inclusive)) {
		i.hi = j.hi
	}
	return i
}

// empty reports whether no release lies in i.
func (i interval) empty() bool {
	if i.lo.infinite || i.hi.infinite {
		return false
	}
	if i.hi.v.less(i.lo.v) {
		return true
	}
	return i.lo.v == i.hi.v && !(i.lo.inclusive && i.hi.inclusive)
}

// parseVersion reads "3", "3.11", "3.11.4" (a trailing ".*" is stripped by
// the caller) and says how many parts were given.
func parseVersion(s string) (pyVersion, int, bool) {
	var v pyVersion
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) == 0 || len(parts) > 3 {
		return v, 0, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, 0, false
		}
		v[i] = n
	}
	return v, len(parts), true
}

// next is the first release after every release that starts with v's
// first n parts: next(3.11, 2) = 3.12.
func next(v pyVersion, n int) pyVersion {
	w := v
	w[n-1]++
	for i := n; i < len(w); i++ {
		w[i] = 0
	}
	return w
}

// clauseInterval turns one clause ("<3.13", "=3.11", "3.12.*", "~=3.11")
// into the releases it allows. ok is false for what it cannot read; a
// clause it reads but that narrows nothing a minor version needs (!=) is
// everything.
func clauseInterval(c string) (interval, bool) {
	c = strings.TrimSpace(c)
	if c == "" || c == "*" {
		return everything, true
	}
	op := ""
	for _, o := range []string{"===", "~=", "==", "!=", ">=", "<=", ">", "<", "="} {
		if strings.HasPrefix(c, o) {
			op, c = o, strings.TrimSpace(c[len(o):])
			break
		}
	}
	wildcard := strings.HasSuffix(c, ".*")
	c = strings.TrimSuffix(c, ".*")
	v, n, ok := parseVersion(c)
	if !ok {
		return interval{}, false
	}
	upTo := func(w pyVersion, incl bool) interval {
		return interval{lo: bound{infinite: true}, hi: bound{v: w, inclusive: incl}}
	}
	from := func(w pyVersion, incl bool) interval {
		return interval{lo: bound{v: w, inclusive: incl}, hi: bound{infinite: true}}
	}
	prefix := interval{lo: bound{v: v, inclusive: true}, hi: bound{v: next(v, n)}}
	switch op {
	case ">=":
		return from(v, true), true
	case ">":
		return from(v, false), true
	case "<=":
		return upTo(v, true), true
	case "<":
		return upTo(v, false), true
	case "~=":
		if n < 2 {
			return interval{}, false
		}
		return interval{lo: bound{v: v, inclusive: true}, hi: bound{v: next(v, n-1)}}, true
	case "!=":
		return everything, true
	case "==", "===":
		if wildcard {
			return prefix, true
		}
		return interval{lo: bound{v: v, inclusive: true}, hi: bound{v: v, inclusive: true}}, true
	}
	// conda's "=3.11", a bare "3.11" and "3.11.*": every release of 3.11.
	return prefix, true
}

// admittedPythons returns the versions of supported (e.g. "3.12") that the
// constraint spec allows, and false when it cannot read spec.
func admittedPythons(spec string, supported []string) ([]string, bool) {
	spec = strings.TrimSpace(opSpaceRE().ReplaceAllString(spec, "$1"))
	if spec == "" {
		return nil, false
	}
	var out []string
	// conda's "|" separates alternatives; "," (and, in a conda spec, a
	// space between clauses) joins clauses that must all hold.
	for _, alt := range strings.Split(spec, "|") {
		in := everything
		for _, c := range strings.FieldsFunc(alt, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			iv, ok := clauseInterval(c)
			if !ok {
				return nil, false
			}
			in = in.intersect(iv)
		}
		for _, s := range supported {
			v, n, ok := parseVersion(s)
			if !ok || slices.Contains(out, s) {
				continue
			}
			minor := interval{lo: bound{v: v, inclusive: true}, hi: bound{v: next(v, n)}}
			if !in.intersect(minor).empty() {
				out = append(out, s)
			}
		}
	}
	return out, true
}

// newestPython returns the newest of versions ("3.10" < "3.13").
func newestPython(versions []string) string {
	best := ""
	var bestV pyVersion
	for _, s := range versions {
		v, _, ok := parseVersion(s)
		if ok && (best == "" || bestV.less(v)) {
			best, bestV = s, v
		}
	}
	return best
}
