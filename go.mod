module github.com/llmux/llmux

go 1.26.8

require (
	github.com/google/go-cmp v0.7.0
	github.com/google/uuid v1.6.0
	github.com/tiktoken-go/tokenizer v0.10.0
	go.uber.org/goleak v1.3.0
)

require github.com/dlclark/regexp2/v2 v2.5.1 // indirect
