// SPDX-License-Identifier: AGPL-3.0-or-later

// Package voice speaks the hall's calls in Mandarin: "请A零一二号到三号窗口办理".
//
// Text and Tokens give the words of a call. Ticket numbers are read one
// character at a time, digits as 零一二三四五六七八九 (一 as 一, not 幺), as
// a clerk reads a ticket; window numbers are read as numbers (三号, 十二号,
// 二十号, 一百零五号). The same words are shown and spoken.
//
// A Synth turns words into WAV bytes, offline:
//
//   - Espeak runs espeak-ng (Debian package espeak-ng) once a call, text on
//     standard input, WAV on standard output. Its default voice is
//     cmn-latn-pinyin: espeak-ng 1.51 (Debian 12) reads many characters
//     through the plain cmn voice as pinyin with English tone numbers
//     ("号" as "hao four"; espeak-ng issues 1028, 1236), which
//     cmn-latn-pinyin does not.
//   - Clips joins recorded clips, one WAV file per token ("请.wav",
//     "A.wav", "0.wav", "窗口.wav" ...), all of one PCM format.
//
// A Queue speaks announcements one at a time, in order, through a Synth and
// hands each one's WAV to a consumer: a failing Synth is tried twice, then
// the call is still delivered, without audio, with the error, so the queue
// never stalls and never goes silent for good.
//
// The package never logs; errors carry the "voice: " prefix and wrap the
// sentinel errors below, to be tested with errors.Is.
package voice
