/* osc52.h: the OSC 52 sequence that puts text in the terminal's clipboard, wrapped for tmux or GNU screen. */
#ifndef SYNCTOP_UI_OSC52_H
#define SYNCTOP_UI_OSC52_H

#include <stddef.h>

/* How the sequence reaches the terminal that owns the clipboard. */
enum osc52_wrap {
	OSC52_PLAIN,  /* ESC ] 52 ; c ; BASE64 BEL */
	OSC52_TMUX,   /* the plain sequence (tmux takes it with set-clipboard on), then the same
	                 in tmux's passthrough DCS (the outer terminal gets it with
	                 allow-passthrough on) */
	OSC52_SCREEN, /* GNU screen: the plain sequence cut into DCS strings of OSC52_SCREEN_CHUNK
	                 bytes of base64, each under screen's 768-byte string limit */
};

/* The largest base64 payload sent (hterm's and the chromeos osc52.sh cap; xterm, tmux and
   kitty take more): 75,000 bytes of text. */
#define OSC52_MAX_BASE64   100000
#define OSC52_MAX_TEXT     (OSC52_MAX_BASE64 / 4 * 3)
#define OSC52_SCREEN_CHUNK 76

/* The wrapping the environment asks for: $TMUX set (non-empty): tmux; $STY: screen; neither:
   plain. Both (screen in a tmux pane, or tmux in a screen window: the inner one inherits the
   outer's variable): the nearer of the two, the first of their server processes ($TMUX's
   "socket,PID,session", $STY's "PID.tty.host") among ancestors[0..n) (the parent, its parent,
   ...); none of them there: tmux when $TERM starts with "tmux", else screen (tmux drops a DCS
   it does not know; screen would pass tmux's passthrough on as text). */
enum osc52_wrap osc52_wrap_for(const char *tmux, const char *sty, const char *term, const long *ancestors,
                               size_t n);
/* The wrapping's name for a notice: "", " (tmux)", " (screen)". */
const char *osc52_wrap_name(enum osc52_wrap w);

/* Bytes of the base64 of n bytes (padded). */
size_t osc52_base64_len(size_t n);
/* The base64 (RFC 4648, padded) of data[0..n) in out (osc52_base64_len(n) + 1 bytes). */
void osc52_base64(const unsigned char *data, size_t n, char *out);

/* The bytes that copy data[0..n) to the clipboard, wrapped as w: malloc'd and NUL-terminated,
   their length in *len. NULL when the text is over OSC52_MAX_TEXT (never sent cut short) or
   out of memory. */
char *osc52_sequence(const char *data, size_t n, enum osc52_wrap w, size_t *len);

#endif
