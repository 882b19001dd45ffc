module signet.local/go-peer

go 1.19
