/* view_style: what a laid-out line of the chat is (view.h's lines carry one; flow.h lays
 * out a text in one). Declarations only, with no module of its own, so that view and its
 * part flow share it without depending on each other. */
#ifndef CHERRY_VIEW_STYLE_H
#define CHERRY_VIEW_STYLE_H

enum view_style {
	VS_BLANK,            /* the empty line between messages */
	VS_HEADER_USER,      /* "you" */
	VS_HEADER_ASSISTANT, /* "openai/gpt-4o-mini" plus whatever the shell put in the header */
	VS_TEXT,             /* a message's text (an answer's: Markdown, styled by its runs) */
	VS_REASONING,        /* reasoning text, dimmed */
	VS_FOLDED,           /* the one line standing for folded reasoning */
	VS_FOOTER,           /* a note under the message: "[stopped]", "[cut short ...]" */
	VS_ERROR,            /* an error footer */
	VS_INFO,             /* the text of a VIEW_INFO message */
};

#endif
