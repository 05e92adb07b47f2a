package kit

import "strings"

// ScreenRow reports whether a row of the screen starts with name (after a
// cursor mark) and has word, as a whole word, among the next few columns:
// "▸ airflow  ● healthy  http://..." or "  my_dag  active  success 1h".
// Whole words keep "unhealthy" from passing for "healthy".
func ScreenRow(screen, name, word string) bool {
	for _, line := range strings.Split(screen, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && (f[0] == "▸" || f[0] == ">") {
			f = f[1:]
		}
		if len(f) < 2 || f[0] != name {
			continue
		}
		for _, w := range f[1:min(len(f), 4)] {
			if w == word {
				return true
			}
		}
	}
	return false
}

// ShellQuote quotes s for a POSIX shell.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
