package otel

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// ConfigFromEnv reads a [Config] from LiteLLM's variables and the
// OpenTelemetry SDK's standard ones (LiteLLM's win when both are set):
//
//	OTEL_EXPORTER                        LiteLLM: otlp_http (default) or otlp_grpc (also grpc, http/protobuf)
//	OTEL_ENDPOINT                        LiteLLM: the collector; for HTTP "/v1/traces" is appended unless present
//	OTEL_HEADERS                         LiteLLM: "key=value,key2=value2", values URL-encoded ("Bearer%20...")
//	OTEL_SERVICE_NAME                    service.name (default llmux)
//	OTEL_EXPORTER_OTLP_PROTOCOL          grpc, http/protobuf (http/json is sent as http/protobuf)
//	OTEL_EXPORTER_OTLP_TRACES_PROTOCOL   the same, for traces only
//	OTEL_EXPORTER_OTLP_ENDPOINT          base URL; for HTTP "/v1/traces" is appended
//	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT   the traces URL, used as is
//	OTEL_EXPORTER_OTLP_HEADERS           headers, as OTEL_HEADERS
//	OTEL_EXPORTER_OTLP_TRACES_HEADERS    the same, for traces only
//	OTEL_EXPORTER_OTLP_COMPRESSION       gzip to compress
//	OTEL_EXPORTER_OTLP_INSECURE          true: a gRPC endpoint without scheme uses no TLS
//	OTEL_EXPORTER_OTLP_TIMEOUT           milliseconds one export request may take (default 10000)
//	OTEL_EXPORTER_OTLP_CERTIFICATE       PEM file of the CA certificates that verify the collector
//	                                     (instead of the system's roots)
//	OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE PEM file of the client certificate for mutual TLS
//	OTEL_EXPORTER_OTLP_CLIENT_KEY        PEM file of its private key
//
// Each OTEL_EXPORTER_OTLP_ variable has an OTEL_EXPORTER_OTLP_TRACES_
// form, which wins. A file that cannot be read or parsed is an error
// naming the variable and the path, never the file's contents.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var cfg Config
	proto := otlpEnv(getenv, "PROTOCOL").value
	if v := getenv("OTEL_EXPORTER"); v != "" {
		proto = v
	}
	switch strings.ToLower(strings.TrimSpace(proto)) {
	case "", "otlp_http", "otlp", "http", "http/protobuf", "http/json":
		cfg.Protocol = ProtocolHTTP
	case "otlp_grpc", "grpc":
		cfg.Protocol = ProtocolGRPC
	default:
		return cfg, fmt.Errorf("otel: exporter %q is not supported (want otlp_http or otlp_grpc)", proto)
	}
	grpc := cfg.Protocol == ProtocolGRPC
	switch {
	case getenv("OTEL_ENDPOINT") != "":
		cfg.Endpoint = tracesURL(getenv("OTEL_ENDPOINT"), grpc)
	case getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "":
		cfg.Endpoint = getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	case getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "":
		cfg.Endpoint = tracesURL(getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), grpc)
	}
	if cfg.Endpoint != "" && !strings.Contains(cfg.Endpoint, "://") {
		scheme := "https://"
		if strings.EqualFold(getenv("OTEL_EXPORTER_OTLP_INSECURE"), "true") || isLocal(cfg.Endpoint) {
			scheme = "http://"
		}
		cfg.Endpoint = scheme + cfg.Endpoint
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_HEADERS"} {
		h, err := parseHeaders(getenv(name))
		if err != nil {
			return cfg, fmt.Errorf("otel: %s: %w", name, err)
		}
		for k, v := range h {
			if cfg.Headers == nil {
				cfg.Headers = map[string]string{}
			}
			cfg.Headers[k] = v
		}
	}
	cfg.ServiceName = getenv("OTEL_SERVICE_NAME")
	cfg.Gzip = strings.EqualFold(otlpEnv(getenv, "COMPRESSION").value, "gzip")
	if v := otlpEnv(getenv, "TIMEOUT"); v.value != "" {
		ms, err := strconv.ParseInt(strings.TrimSpace(v.value), 10, 64)
		if err != nil || ms <= 0 {
			return cfg, fmt.Errorf("otel: %s: want a positive number of milliseconds, got %q", v.name, v.value)
		}
		cfg.Timeout = time.Duration(ms) * time.Millisecond
	}
	t, err := tlsFromEnv(getenv)
	if err != nil {
		return cfg, fmt.Errorf("otel: %w", err)
	}
	cfg.TLS = t
	return cfg, nil
}

// envVar is a variable's name and value.
type envVar struct{ name, value string }

// otlpEnv reads OTEL_EXPORTER_OTLP_TRACES_<suffix>, or else
// OTEL_EXPORTER_OTLP_<suffix>.
func otlpEnv(getenv func(string) string, suffix string) envVar {
	if n := "OTEL_EXPORTER_OTLP_TRACES_" + suffix; getenv(n) != "" {
		return envVar{n, getenv(n)}
	}
	n := "OTEL_EXPORTER_OTLP_" + suffix
	return envVar{n, getenv(n)}
}

// tlsFromEnv builds the TLS configuration the certificate variables ask
// for, or nil when none is set.
func tlsFromEnv(getenv func(string) string) (*tls.Config, error) {
	ca, cert, key := otlpEnv(getenv, "CERTIFICATE"), otlpEnv(getenv, "CLIENT_CERTIFICATE"), otlpEnv(getenv, "CLIENT_KEY")
	if ca.value == "" && cert.value == "" && key.value == "" {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca.value != "" {
		pem, err := os.ReadFile(ca.value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ca.name, err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s holds no PEM certificate", ca.name, ca.value)
		}
	}
	switch {
	case cert.value != "" && key.value != "":
		pair, err := tls.LoadX509KeyPair(cert.value, key.value)
		if err != nil {
			// The error of LoadX509KeyPair names files and PEM block
			// types, never key material.
			return nil, fmt.Errorf("%s and %s: %w", cert.name, key.name, err)
		}
		c.Certificates = []tls.Certificate{pair}
	case cert.value != "":
		return nil, fmt.Errorf("%s is set without %s", cert.name, key.name)
	case key.value != "":
		return nil, fmt.Errorf("%s is set without %s", key.name, cert.name)
	}
	return c, nil
}

// FromEnv builds the gateway's "otel" callback: [NewExporter] with
// [ConfigFromEnv].
func FromEnv(getenv func(string) string) (any, error) {
	cfg, err := ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return NewExporter(context.Background(), cfg)
}

// tracesURL appends /v1/traces to an HTTP base URL that lacks it.
func tracesURL(base string, grpc bool) string {
	if grpc || strings.HasSuffix(base, "/v1/traces") {
		return base
	}
	return strings.TrimRight(base, "/") + "/v1/traces"
}

func isLocal(hostport string) bool {
	h := hostport
	if i := strings.IndexAny(h, ":/"); i >= 0 {
		h = h[:i]
	}
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "[::1]"
}

// parseHeaders reads "k=v,k2=v2" with URL-encoded keys and values (the
// OTLP exporter's and LiteLLM's format). Errors never quote a value.
func parseHeaders(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	out := map[string]string{}
	for i, kv := range strings.Split(s, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("entry %d has no '='", i+1)
		}
		key, err := url.PathUnescape(strings.TrimSpace(k))
		if err != nil || key == "" {
			return nil, fmt.Errorf("entry %d: bad key", i+1)
		}
		val, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("header %q: bad value encoding", key)
		}
		out[key] = val
	}
	return out, nil
}
