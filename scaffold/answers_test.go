package scaffold

import (
	"strings"
	"testing"
)

func TestValidatePackage(t *testing.T) {
	for _, tt := range []struct {
		in, want string // want: "" for valid, else a part of the reason
	}{
		{"demo", ""},
		{"my_pkg2", ""},
		{"_private", ""},
		{"", "required"},
		{"Demo", "lower-case"},
		{"my-pkg", `use "my_pkg"`},
		{"2fast", "cannot start with a digit"},
		{"café", "only a to z"},
		{"import", "keyword"},
		{"lambda", "keyword"},
		{"json", "standard library"},
		{"test", "standard library"},
		{"asyncio", "standard library"},
		{"distutils", "standard library"}, // gone in 3.12, still in 3.10
		{"airflow", "shadow Apache Airflow"},
		{"gaiaflow", "shadow gaiaflow"},
		{"tests", "shadow the tests folder"},
	} {
		err := ValidatePackage(tt.in)
		if tt.want == "" && err != nil {
			t.Errorf("%q: unexpected error %v", tt.in, err)
		}
		if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%q: error %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"demo", ""},
		{"my-project-2", ""},
		{"", "required"},
		{"My-Project", "lower-case"},
		{"-demo", "starting and ending"},
		{"demo_x", "letters, digits and dashes"},
		{strings.Repeat("a", 41), "at most 40"},
	} {
		err := ValidateName(tt.in)
		if tt.want == "" && err != nil {
			t.Errorf("%q: unexpected error %v", tt.in, err)
		}
		if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%q: error %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestValidateOtherAnswers(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"empty email", ValidateEmail(""), true},
		{"email", ValidateEmail("ada@lovelace.org"), true},
		{"email without domain dot", ValidateEmail("ada@localhost"), false},
		{"email with a name", ValidateEmail("Ada <ada@lovelace.org>"), false},
		{"not an email", ValidateEmail("ada"), false},
		{"one line", ValidateOneLine("A project"), true},
		{"two lines", ValidateOneLine("a\nb"), false},
		{"control character", ValidateOneLine("a\tb"), false},
		{"uv", ValidateEnvManager("uv"), true},
		{"poetry", ValidateEnvManager("poetry"), false},
		{"3.13", ValidatePython("3.13"), true},
		{"3.9", ValidatePython("3.9"), false},
	} {
		if (tt.err == nil) != tt.ok {
			t.Errorf("%s: error %v", tt.name, tt.err)
		}
	}
}

func TestDefaultsDeriveNameAndPackage(t *testing.T) {
	for _, tt := range []struct{ base, name, pkg string }{
		{"demo", "demo", "demo"},
		{"My Project!", "my-project", "my_project"},
		{"2024-forecast", "2024-forecast", ""}, // an identifier cannot start with a digit
		{"test", "test", ""},                   // a standard-library name: the package must be chosen
		{"___", "", ""},
	} {
		a := Defaults(tt.base)
		if a.Name != tt.name || a.Package != tt.pkg {
			t.Errorf("Defaults(%q) = name %q package %q, want %q %q", tt.base, a.Name, a.Package, tt.name, tt.pkg)
		}
		if a.EnvManager != "uv" || a.Python != "3.12" || !a.Examples {
			t.Errorf("Defaults(%q) = %+v", tt.base, a)
		}
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	a := Answers{Name: "Bad Name", Package: "class", Email: "nope", EnvManager: "poetry", Python: "2.7"}
	var fields []string
	for _, p := range a.Validate() {
		fields = append(fields, p.Field)
	}
	if got := strings.Join(fields, ","); got != "name,email,package,env-manager,python" {
		t.Errorf("problems for %s", got)
	}
}
