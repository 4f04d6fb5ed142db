/* fakemcp.h: what fakemcp.c (the server's tools, either transport) and fakemcp_http.c
 * (its Streamable HTTP mode) share. */
#ifndef FAKEMCP_H
#define FAKEMCP_H

#include <jansson.h>

/* fakemcp.c */
void send_msg(json_t *m);      /* one message to the client (stolen) */
json_t *read_msg(void);        /* stdio: the next message from stdin */
void handle(json_t *m);        /* a request or notification from the client */

/* fakemcp_http.c */
extern int fakemcp_http_mode;
/* mode2: "" (well-behaved), "auth" (a Bearer token required), "redirect" (every
 * request answered 307), "badsession" (a session id with an escape sequence). */
int fakemcp_http_main(const char *mode2);
/* HTTP: s goes out on the current reply (as an SSE event or the JSON body): 0; -1 on
 * stdio (the caller prints it). */
int fakemcp_http_out(const char *s);
/* HTTP: the client's answer to our request id (NULL after 5 s). */
json_t *fakemcp_http_answer(int id);
/* HTTP: waits up to ms; 1 when the client cancelled request id meanwhile. */
int fakemcp_http_cancelled(const json_t *id, int ms);
/* HTTP: drops the current stream's connection (its events are kept for a resume). */
void fakemcp_http_drop(void);
/* HTTP: ends the current session (a later request with it gets 404). */
void fakemcp_http_expire(void);

#endif
