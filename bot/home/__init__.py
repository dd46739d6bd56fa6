"""The App Home tab, which reads every feature."""
