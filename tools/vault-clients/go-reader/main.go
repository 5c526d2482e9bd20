// Command go-reader reads a KV v2 secret with the official Go Vault client (github.com/hashicorp/vault/api), as
// External Secrets Operator does: VAULT_ADDR=https://<gateway>/api/<okmsId>, X-Vault-Token, the gateway CA.
// Test tooling only (test/e2e/vault-clients.test.ts): it prints the secret's data as JSON, or fails.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	vault "github.com/hashicorp/vault/api"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go-reader <read|list|write-read> <path>")
		os.Exit(2)
	}
	config := vault.DefaultConfig() // VAULT_ADDR, VAULT_CACERT from the environment
	if err := config.Error; err != nil {
		fail(err)
	}
	client, err := vault.NewClient(config)
	if err != nil {
		fail(err)
	}
	client.SetToken(os.Getenv("VAULT_TOKEN"))
	kv := client.KVv2("secret")
	ctx := context.Background()
	var out interface{}
	switch os.Args[1] {
	case "read":
		secret, err := kv.Get(ctx, os.Args[2])
		if err != nil {
			fail(err)
		}
		out = map[string]interface{}{"data": secret.Data, "version": secret.VersionMetadata.Version}
	case "write-read":
		if _, err := kv.Put(ctx, os.Args[2], map[string]interface{}{"written": "by-go"}); err != nil {
			fail(err)
		}
		if _, err := kv.Patch(ctx, os.Args[2], map[string]interface{}{"patched": true}); err != nil {
			fail(err)
		}
		secret, err := kv.Get(ctx, os.Args[2])
		if err != nil {
			fail(err)
		}
		out = map[string]interface{}{"data": secret.Data, "version": secret.VersionMetadata.Version}
	case "list":
		secret, err := client.Logical().List("secret/metadata/" + os.Args[2])
		if err != nil {
			fail(err)
		}
		if secret == nil {
			fail(fmt.Errorf("nothing listed"))
		}
		out = secret.Data["keys"]
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go-reader:", err)
	os.Exit(1)
}
