// Package azure is the llmux provider for Azure OpenAI. It reuses the
// OpenAI wire codec of [github.com/llmux/llmux/provider/openai] and differs
// only in endpoint and auth: requests go to
// {base}/openai/deployments/{deployment}/{operation}?api-version=V with an
// "api-key" header (or an Entra ID token as "Authorization: Bearer").
//
// Model names are "azure/<deployment>":
//
//	c, err := llmux.New(llmux.WithProvider(azure.New())) // AZURE_API_KEY, AZURE_API_BASE
//	...
//	resp, err := c.Completion(ctx, &llmux.Request{Model: "azure/prod-gpt4o", Messages: msgs})
//
// A prompt refused by Azure's content filter is an error with
// [llmux.CodeContentFiltered]; an answer cut by the filter is a normal
// response whose finish reason is "content_filter".
package azure
