/*
 * chars.h - character classes shared by the parsers, locale-independent (ctype.h
 * would depend on the locale and on the sign of char).
 */
#ifndef PC_CHARS_H
#define PC_CHARS_H

/* The value of a hexadecimal digit, or -1. */
static inline int chars_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* [A-Za-z0-9]: the characters of phoneCallId and phoneCallViewId. */
static inline int chars_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

#endif
