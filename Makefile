# make check is what CI runs (plus .ci/run's extra smoke steps).
.PHONY: check test fmt vet staticcheck bench fuzz run

test:
	go test -race ./...

check: fmt vet staticcheck test

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "$$out"; exit 1; fi

vet:
	go vet ./...

STATICCHECK := $(shell go env GOPATH)/bin/staticcheck

staticcheck:
	@test -x $(STATICCHECK) || go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
	$(STATICCHECK) ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...

fuzz:
	@for pkg in $$(go list ./...); do dir=$$(go list -f '{{.Dir}}' $$pkg); \
	for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
	go test -run '^$$' -fuzz "^$$t\$$" -fuzztime 30s $$pkg || exit 1; done; done

run:
	go run ./cmd/llmux complete --model gpt-3.5-turbo --mock-response "Hello from llmux" --events "Hi 👋 - i'm openai"
