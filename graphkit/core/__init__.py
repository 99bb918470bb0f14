"""Records, the as-of rule, NHS facts, namespaces and progress: what every other package builds on."""
