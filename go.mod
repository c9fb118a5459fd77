module github.com/vzmon/vzmon

go 1.23

require github.com/alecthomas/kong v1.17.0

require github.com/atc0005/go-nagios v0.20.0
