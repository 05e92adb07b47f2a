package tui

// Wizard names a wizard the dashboard can open.
type Wizard string

// The wizards.
const (
	WizardInit      Wizard = "init"
	WizardDockerize Wizard = "dockerize"
	WizardSecret    Wizard = "secret"
)

// WizardDone is the message a wizard's model sends (through a tea.Cmd) when
// it is finished or abandoned; the dashboard then closes it and shows
// Message, or Err. Wizards live in their own packages and know nothing else
// of the dashboard.
type WizardDone struct {
	Wizard  Wizard
	Message string
	Err     error
}
