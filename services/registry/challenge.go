package registry

import (
	"strings"
)

// challenge is one authentication challenge of a WWW-Authenticate header
// (RFC 9110 section 11.6.1): a scheme and its parameters.
type challenge struct {
	Scheme string            // lower case: basic, bearer, ...
	Params map[string]string // keys in lower case
}

// parseChallenges reads every challenge of the WWW-Authenticate header
// values. A header may hold several challenges separated by commas, so a
// token followed by "=" is a parameter of the current challenge and any
// other token starts a new one.
func parseChallenges(values []string) []challenge {
	var out []challenge
	for _, s := range values {
		cur := -1
		for i := 0; i < len(s); {
			i = skip(s, i, " \t,")
			if i >= len(s) {
				break
			}
			tok, next := readToken(s, i)
			if tok == "" {
				i++ // a stray character: step over it
				continue
			}
			i = skip(s, next, " \t")
			if i < len(s) && s[i] == '=' && cur >= 0 {
				var val string
				val, i = readValue(s, skip(s, i+1, " \t"))
				out[cur].Params[strings.ToLower(tok)] = val
				continue
			}
			out = append(out, challenge{Scheme: strings.ToLower(tok), Params: map[string]string{}})
			cur = len(out) - 1
		}
	}
	return out
}

func skip(s string, i int, set string) int {
	for i < len(s) && strings.IndexByte(set, s[i]) >= 0 {
		i++
	}
	return i
}

func readToken(s string, i int) (string, int) {
	start := i
	for i < len(s) && strings.IndexByte(" \t,=\"", s[i]) < 0 {
		i++
	}
	return s[start:i], i
}

// readValue reads a token or a quoted string with backslash escapes.
func readValue(s string, i int) (string, int) {
	if i >= len(s) || s[i] != '"' {
		return readToken(s, i)
	}
	var b strings.Builder
	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			return b.String(), i + 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), i
}
