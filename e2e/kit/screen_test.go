package kit

import "testing"

func TestScreenRow(t *testing.T) {
	screen := "gaiaflow demo · mode dev        docker ●  airflow ●\n" +
		"▸ airflow         ✗ unhealthy      http://127.0.0.1:8080  apache/airflow:3.3.2\n" +
		"  ├ api-server    ● healthy        127.0.0.1:8080->8080   apache/airflow:3.3.2\n" +
		"  mlflow          ● healthy        http://127.0.0.1:5000\n" +
		"  e2e_demo_example_pipeline   active  success 1h   -\n" +
		"  other_dag   active  failed 2h   success\n"
	for _, c := range []struct {
		name, word string
		want       bool
	}{
		{"airflow", "healthy", false},
		{"mlflow", "healthy", true},
		{"e2e_demo_example_pipeline", "success", true},
		{"other_dag", "success", false},
		{"jupyter", "healthy", false},
	} {
		if got := ScreenRow(screen, c.name, c.word); got != c.want {
			t.Errorf("ScreenRow(%s, %s) = %v, want %v", c.name, c.word, got, c.want)
		}
	}
}
