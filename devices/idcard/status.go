// SPDX-License-Identifier: AGPL-3.0-or-later

package idcard

import (
	"errors"
	"fmt"
)

// Status is SW3, the reader's own status byte in every answer (GA 467). SW1
// and SW2 carry the card's APDU status and are kept in Response as they come.
//
// The codes and their Chinese names follow the SAM protocol tables published
// by the reader vendors (公安部第一研究所 SAM_V 通讯协议; the same table
// appears in 华视, 神思, 新中新 and 精伦 SDK headers). The host-side codes the
// vendors' DLLs return (01 port, 02 PC timeout, 03 transfer, 05 baud) are not
// SW3 values: this driver reports those conditions as Go errors instead.
type Status byte

// SW3 status codes.
const (
	StatusSuccess       Status = 0x90 // 操作成功
	StatusNoContent     Status = 0x91 // 证/卡中此项无内容
	StatusFound         Status = 0x9F // 寻找证/卡成功
	StatusChecksum      Status = 0x10 // 接收业务终端数据的校验和错
	StatusLength        Status = 0x11 // 接收业务终端数据的长度错
	StatusCommand       Status = 0x21 // 接收业务终端的命令错误
	StatusUnauthorised  Status = 0x23 // 越权操作
	StatusUnknown       Status = 0x24 // 无法识别的错误
	StatusCardAuthSAM   Status = 0x31 // 证/卡认证 SAM 失败
	StatusSAMAuthCard   Status = 0x32 // SAM 认证证/卡失败
	StatusVerify        Status = 0x33 // 信息验证错误
	StatusCardType      Status = 0x40 // 无法识别的卡类型
	StatusReadFailed    Status = 0x41 // 读证/卡操作失败
	StatusRandom        Status = 0x47 // 取随机数失败
	StatusSelfTest      Status = 0x60 // SAM 自检失败，不能接收命令
	StatusNotAuthorised Status = 0x66 // SAM 未经授权，无法使用
	StatusNoCard        Status = 0x80 // 寻找证/卡失败
	StatusSelectFailed  Status = 0x81 // 选取证/卡失败
)

// Sentinel errors, one for each SW3 failure code. A *StatusError unwraps to
// the one matching its Status, so callers test with errors.Is(err, ErrNoCard).
var (
	ErrNoContent     = errors.New("idcard: no such item on the card")
	ErrRejectedSum   = errors.New("idcard: reader rejected the frame's check byte")
	ErrRejectedLen   = errors.New("idcard: reader rejected the frame's length")
	ErrBadCommand    = errors.New("idcard: reader rejected the command")
	ErrUnauthorised  = errors.New("idcard: operation not permitted")
	ErrReaderUnknown = errors.New("idcard: reader reported an unrecognised error")
	ErrCardAuthSAM   = errors.New("idcard: card failed to authenticate the SAM")
	ErrSAMAuthCard   = errors.New("idcard: SAM failed to authenticate the card")
	ErrVerify        = errors.New("idcard: information verification failed")
	ErrCardType      = errors.New("idcard: unrecognised card type")
	ErrReadFailed    = errors.New("idcard: reading the card failed")
	ErrRandom        = errors.New("idcard: getting a random number failed")
	ErrSelfTest      = errors.New("idcard: SAM self-test failed")
	ErrNotAuthorised = errors.New("idcard: SAM module not authorised")
	ErrNoCard        = errors.New("idcard: no card on the reader")
	ErrSelectFailed  = errors.New("idcard: selecting the card failed")
	// ErrStatus is what an SW3 code outside the protocol's table unwraps to.
	ErrStatus = errors.New("idcard: unexpected reader status")
)

type statusInfo struct {
	en, zh string
	err    error
}

// info describes a code. A switch rather than a map keeps the package free
// of mutable state.
func info(s Status) (statusInfo, bool) {
	switch s {
	case StatusSuccess:
		return statusInfo{"success", "操作成功", nil}, true
	case StatusNoContent:
		return statusInfo{"no content", "证/卡中此项无内容", ErrNoContent}, true
	case StatusFound:
		return statusInfo{"card found", "寻找证/卡成功", nil}, true
	case StatusChecksum:
		return statusInfo{"checksum error", "接收业务终端数据的校验和错", ErrRejectedSum}, true
	case StatusLength:
		return statusInfo{"length error", "接收业务终端数据的长度错", ErrRejectedLen}, true
	case StatusCommand:
		return statusInfo{"command error", "接收业务终端的命令错误", ErrBadCommand}, true
	case StatusUnauthorised:
		return statusInfo{"unauthorised operation", "越权操作", ErrUnauthorised}, true
	case StatusUnknown:
		return statusInfo{"unrecognised error", "无法识别的错误", ErrReaderUnknown}, true
	case StatusCardAuthSAM:
		return statusInfo{"card failed to authenticate SAM", "证/卡认证 SAM 失败", ErrCardAuthSAM}, true
	case StatusSAMAuthCard:
		return statusInfo{"SAM failed to authenticate card", "SAM 认证证/卡失败", ErrSAMAuthCard}, true
	case StatusVerify:
		return statusInfo{"verification error", "信息验证错误", ErrVerify}, true
	case StatusCardType:
		return statusInfo{"unrecognised card type", "无法识别的卡类型", ErrCardType}, true
	case StatusReadFailed:
		return statusInfo{"read failed", "读证/卡操作失败", ErrReadFailed}, true
	case StatusRandom:
		return statusInfo{"get random failed", "取随机数失败", ErrRandom}, true
	case StatusSelfTest:
		return statusInfo{"SAM self-test failed", "SAM 自检失败，不能接收命令", ErrSelfTest}, true
	case StatusNotAuthorised:
		return statusInfo{"SAM not authorised", "SAM 未经授权，无法使用", ErrNotAuthorised}, true
	case StatusNoCard:
		return statusInfo{"no card", "寻找证/卡失败", ErrNoCard}, true
	case StatusSelectFailed:
		return statusInfo{"select failed", "选取证/卡失败", ErrSelectFailed}, true
	}
	return statusInfo{}, false
}

// Statuses lists every SW3 code of the protocol, in numeric order.
func Statuses() []Status {
	return []Status{
		StatusChecksum, StatusLength, StatusCommand, StatusUnauthorised, StatusUnknown,
		StatusCardAuthSAM, StatusSAMAuthCard, StatusVerify, StatusCardType, StatusReadFailed,
		StatusRandom, StatusSelfTest, StatusNotAuthorised, StatusNoCard, StatusSelectFailed,
		StatusSuccess, StatusNoContent, StatusFound,
	}
}

// String gives the code and its English name, e.g. "0x80 no card".
func (s Status) String() string {
	if i, ok := info(s); ok {
		return fmt.Sprintf("0x%02X %s", byte(s), i.en)
	}
	return fmt.Sprintf("0x%02X unknown status", byte(s))
}

// Chinese gives the protocol's Chinese name of the code, e.g. "寻找证/卡失败".
func (s Status) Chinese() string {
	if i, ok := info(s); ok {
		return i.zh
	}
	return fmt.Sprintf("未知状态 0x%02X", byte(s))
}

// OK reports whether s is a success code (0x90, 0x9F).
func (s Status) OK() bool { return s == StatusSuccess || s == StatusFound }

// Err returns nil for a success code, otherwise a *StatusError for s.
func (s Status) Err() error {
	if s.OK() {
		return nil
	}
	return &StatusError{Status: s}
}

// StatusError is a reader's answer with a failure SW3. It unwraps to the
// sentinel error of its code (ErrNoCard, ErrReadFailed, ...).
type StatusError struct {
	Cmd      Command // the command answered, if known
	SW1, SW2 byte
	Status   Status
}

func (e *StatusError) Error() string {
	if e.Cmd != 0 {
		return fmt.Sprintf("idcard: %s: reader status %s (%s)", e.Cmd, e.Status, e.Status.Chinese())
	}
	return fmt.Sprintf("idcard: reader status %s (%s)", e.Status, e.Status.Chinese())
}

// Unwrap returns the sentinel error matching the status code.
func (e *StatusError) Unwrap() error {
	if i, ok := info(e.Status); ok && i.err != nil {
		return i.err
	}
	return ErrStatus
}
