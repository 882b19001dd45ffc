// The Go peer of loadbench: a minimal net/http server verifying Turbine bearer tokens with
// crypto/ed25519 (the documented checks: the Bearer form, the payload's key, its time window,
// the signature, each nonce once), so signet serve is compared with what a Go service would
// write. Usage: go-peer ADDR KID PUBLIC_KEY_HEX [KID PUBLIC_KEY_HEX ...]; prints
// "listening on http://ADDR" once it accepts connections.
package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

type claims struct {
	Kid string `json:"kid"`
	N   string `json:"n"`
	Ts  int64  `json:"ts"`
}

type replay struct {
	mu   sync.Mutex
	seen map[string]int64
}

// remember reports whether kid/nonce is new, forgetting nonces past the window now and then.
func (r *replay) remember(kid, nonce string, ts, now int64) bool {
	key := kid + "/" + nonce
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.seen[key]; dup {
		return false
	}
	if len(r.seen) > 1<<22 {
		for k, t := range r.seen {
			if t < now-300 {
				delete(r.seen, k)
			}
		}
	}
	r.seen[key] = ts
	return true
}

func refuse(w http.ResponseWriter, text string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintf(w, `{"error":%q}`, text)
}

func main() {
	if len(os.Args) < 4 || len(os.Args)%2 != 0 {
		fmt.Fprintln(os.Stderr, "usage: go-peer ADDR KID PUBLIC_KEY_HEX [KID PUBLIC_KEY_HEX ...]")
		os.Exit(2)
	}
	keys := map[string]ed25519.PublicKey{}
	for i := 2; i+1 < len(os.Args); i += 2 {
		key, err := hex.DecodeString(os.Args[i+1])
		if err != nil || len(key) != ed25519.PublicKeySize {
			fmt.Fprintln(os.Stderr, "bad public key", os.Args[i+1])
			os.Exit(2)
		}
		keys[os.Args[i]] = ed25519.PublicKey(key)
	}
	seen := &replay{seen: map[string]int64{}}
	http.HandleFunc("/auth", func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		if !strings.HasPrefix(header, "Bearer ") {
			refuse(w, "missing authorization header")
			return
		}
		payloadText, signatureText, ok := strings.Cut(strings.TrimPrefix(header, "Bearer "), ".")
		payload, err1 := base64.RawURLEncoding.DecodeString(payloadText)
		signature, err2 := base64.RawURLEncoding.DecodeString(signatureText)
		var c claims
		if !ok || err1 != nil || err2 != nil || json.Unmarshal(payload, &c) != nil {
			refuse(w, "invalid token format")
			return
		}
		key, known := keys[c.Kid]
		if !known {
			refuse(w, "API key not found")
			return
		}
		now := time.Now().Unix()
		if c.Ts < now-300 || c.Ts > now+60 {
			refuse(w, "token expired")
			return
		}
		if !ed25519.Verify(key, payload, signature) {
			refuse(w, "invalid signature")
			return
		}
		if !seen.remember(c.Kid, c.N, c.Ts, now) {
			refuse(w, "token already used")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Signet-Kid", c.Kid)
		fmt.Fprintf(w, `{"kid":%q}`, c.Kid)
	})
	listener, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on http://%s\n", listener.Addr())
	os.Stdout.Sync()
	if err := http.Serve(listener, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
