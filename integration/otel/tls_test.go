package otel_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llmux/integration/otel"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// testPKI is a private CA with a server certificate for 127.0.0.1 and a
// client certificate, written as PEM files in a temporary directory.
type testPKI struct {
	pool                  *x509.CertPool
	server, client        tls.Certificate
	caFile                string
	clientCert, clientKey string
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "llmux test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	p := &testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.caFile = writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER)
	leaf := func(serial int64, usage x509.ExtKeyUsage, ips []net.IP) (tls.Certificate, []byte, []byte) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "llmux test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, der, keyDER
	}
	p.server, _, _ = leaf(2, x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1)})
	var certDER, keyDER []byte
	p.client, certDER, keyDER = leaf(3, x509.ExtKeyUsageClientAuth, nil)
	p.clientCert = writePEM(t, dir, "client.pem", "CERTIFICATE", certDER)
	p.clientKey = writePEM(t, dir, "client-key.pem", "EC PRIVATE KEY", keyDER)
	return p
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// env is a getenv over a map.
func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestConfigFromEnv_TLSAndTimeout: the certificate variables give a TLS
// configuration with the CA as its only root and the client certificate;
// the traces-only forms win; a bad file, a certificate without its key or
// a bad timeout is an error naming the variable, never a file's contents.
func TestConfigFromEnv_TLSAndTimeout(t *testing.T) {
	p := newTestPKI(t)
	cfg, err := otel.ConfigFromEnv(env(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":           "https://127.0.0.1:4318",
		"OTEL_EXPORTER_OTLP_CERTIFICATE":        "/nonexistent/ignored-because-traces-wins.pem",
		"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE": p.caFile,
		"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": p.clientCert,
		"OTEL_EXPORTER_OTLP_CLIENT_KEY":         p.clientKey,
		"OTEL_EXPORTER_OTLP_TIMEOUT":            "2500",
		"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "gzip",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Timeout != 2500*time.Millisecond || !cfg.Gzip {
		t.Errorf("Timeout %v Gzip %v, want 2.5s and true", cfg.Timeout, cfg.Gzip)
	}
	if cfg.TLS == nil || cfg.TLS.RootCAs == nil || !cfg.TLS.RootCAs.Equal(p.pool) || len(cfg.TLS.Certificates) != 1 {
		t.Fatalf("TLS = %+v, want the test CA as the only root and one client certificate", cfg.TLS)
	}
	if cfg, err := otel.ConfigFromEnv(env(nil)); err != nil || cfg.TLS != nil {
		t.Errorf("no certificate variable: TLS %v err %v, want nil, nil", cfg.TLS, err)
	}

	notPEM := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(notPEM, []byte("sk-secret-material"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"missing CA file":     {map[string]string{"OTEL_EXPORTER_OTLP_CERTIFICATE": "/nonexistent/ca.pem"}, "OTEL_EXPORTER_OTLP_CERTIFICATE"},
		"CA file without PEM": {map[string]string{"OTEL_EXPORTER_OTLP_CERTIFICATE": notPEM}, "holds no PEM certificate"},
		"cert without key":    {map[string]string{"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": p.clientCert}, "without OTEL_EXPORTER_OTLP_CLIENT_KEY"},
		"key without cert":    {map[string]string{"OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY": p.clientKey}, "OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY is set without"},
		"key not PEM": {map[string]string{"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": p.clientCert, "OTEL_EXPORTER_OTLP_CLIENT_KEY": notPEM},
			"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY"},
		"timeout not a number": {map[string]string{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "10s"}, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: want a positive number of milliseconds"},
	} {
		_, err := otel.ConfigFromEnv(env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "sk-secret-material") {
			t.Errorf("%s: err %v, want one containing %q and no file contents", name, err, tc.want)
		}
	}
}

// TestGRPC_TLSWithPrivateCAAndClientCertificate exports to a gRPC
// collector over TLS that a private CA certifies and that requires a
// client certificate: with the configuration from the environment the span
// arrives; without the client certificate the export fails and is counted.
func TestGRPC_TLSWithPrivateCAAndClientCertificate(t *testing.T) {
	defer otel.SetRetryForTest(time.Millisecond, time.Millisecond, 50*time.Millisecond)()
	p := newTestPKI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	s := grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{p.server}, ClientCAs: p.pool, ClientAuth: tls.RequireAndVerifyClientCert,
	})))
	coltracepb.RegisterTraceServiceServer(s, &grpcTraceService{c: c})
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Serve(ln) }()
	defer func() { s.Stop(); <-done }()

	vars := map[string]string{
		"OTEL_EXPORTER_OTLP_PROTOCOL":           "grpc",
		"OTEL_EXPORTER_OTLP_ENDPOINT":           "https://" + ln.Addr().String(),
		"OTEL_EXPORTER_OTLP_CERTIFICATE":        p.caFile,
		"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": p.clientCert,
		"OTEL_EXPORTER_OTLP_CLIENT_KEY":         p.clientKey,
	}
	cfg, err := otel.ConfigFromEnv(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	l := exportOne(t, cfg)
	if got := waitSpans(t, c, 1); len(got) == 0 {
		t.Fatalf("no span reached the TLS collector; stats %+v", l.SinkStats())
	}
	if st := l.SinkStats(); st.Delivered == 0 || st.Dropped["export_failed"] != 0 {
		t.Errorf("stats %+v, want spans delivered and none failed", st)
	}

	delete(vars, "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE")
	delete(vars, "OTEL_EXPORTER_OTLP_CLIENT_KEY")
	cfg, err = otel.ConfigFromEnv(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	before := len(c.all())
	l = exportOne(t, cfg)
	if st := l.SinkStats(); st.Delivered != 0 || st.Dropped["export_failed"] == 0 {
		t.Errorf("without a client certificate: stats %+v, want every span failed", st)
	}
	if n := len(c.all()); n != before {
		t.Errorf("without a client certificate the collector got %d more spans", n-before)
	}
}

// TestHTTP_TLSWithPrivateCA exports over HTTPS to a collector whose
// certificate only the configured CA file verifies.
func TestHTTP_TLSWithPrivateCA(t *testing.T) {
	c, plain := httpReceiver(t)
	srv := httptest.NewTLSServer(plain.Config.Handler)
	defer srv.Close()
	caFile := writePEM(t, t.TempDir(), "ca.pem", "CERTIFICATE", srv.Certificate().Raw)
	cfg, err := otel.ConfigFromEnv(env(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":    srv.URL,
		"OTEL_EXPORTER_OTLP_CERTIFICATE": caFile,
	}))
	if err != nil {
		t.Fatal(err)
	}
	l := exportOne(t, cfg)
	if got := waitSpans(t, c, 1); len(got) == 0 {
		t.Fatalf("no span reached the HTTPS collector; stats %+v", l.SinkStats())
	}
}
