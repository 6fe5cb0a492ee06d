/* SPDX-License-Identifier: GPL-2.0 */
/* The IP protocol 112 handler. */
#ifndef _CARP_INPUT_H
#define _CARP_INPUT_H

int carp_input_init(void);
void carp_input_exit(void);

#endif /* _CARP_INPUT_H */
