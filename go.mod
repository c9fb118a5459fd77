module github.com/vzmon/vzmon

go 1.26.8

require (
	github.com/alecthomas/kong v1.17.0 // indirect
	github.com/atc0005/go-nagios v0.20.0 // indirect
)
