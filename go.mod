module github.com/llmux/llmux

go 1.26.8

require github.com/tiktoken-go/tokenizer v0.10.0

require (
	github.com/dlclark/regexp2/v2 v2.5.1 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.uber.org/goleak v1.3.0 // indirect
)
