# The two README commands. Everything else is a nox session (noxfile.py).
.PHONY: run test

run:
	scripts/bootstrap.sh server
	.venv/bin/janua serve

test:
	scripts/bootstrap.sh all
	.venv/bin/nox
