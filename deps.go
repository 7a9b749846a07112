//go:build tools

package main

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/chromedp/chromedp"
	_ "github.com/creack/pty"
	_ "github.com/gen2brain/go-fitz"
	_ "github.com/gorilla/websocket"
	_ "github.com/karalabe/usb"
	_ "github.com/mozillazg/go-pinyin"
	_ "github.com/pdfcpu/pdfcpu/pkg/api"
	_ "github.com/skip2/go-qrcode"
	_ "github.com/tarm/serial"
	_ "golang.org/x/text/encoding/simplifiedchinese"
	_ "modernc.org/sqlite"
)
