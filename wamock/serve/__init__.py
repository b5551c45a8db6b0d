"""The mock server: connexion serving the spec, with wamock's state, scenarios and safeguards."""

CONTROL_PREFIX = "/__wamock"  # where the control API lives
