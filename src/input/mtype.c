/*
 * mtype.c - Content-Type parsing (mtype.h).
 */
#include <string.h>
#include <strings.h>

#include "mtype.h"

static bool ieq(const char *a, size_t alen, const char *lit)
{
	return alen == strlen(lit) && strncasecmp(a, lit, alen) == 0;
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

bool mtype_is(const struct mtype *m, const char *want)
{
	return ieq(m->type, m->type_len, want);
}

int mtype_parse(const char *ct, struct mtype *out)
{
	const char *p, *end;

	memset(out, 0, sizeof(*out));
	if (ct == NULL)
		return -1;
	p = skip_ows(ct);
	end = p;
	while (*end && *end != ';' && *end != ' ' && *end != '\t')
		end++;
	if (end == p)
		return -1;
	out->type = p;
	out->type_len = (size_t)(end - p);
	p = skip_ows(end);
	if (*p != '\0' && *p != ';')
		return -1;
	while (*p == ';') {
		const char *name = skip_ows(p + 1), *eq = name, *val, *vend;
		if (*name == ';' || *name == '\0') { /* an empty parameter (RFC 9110, 5.6.6) */
			p = name;
			continue;
		}
		while (*eq && *eq != '=' && *eq != ';')
			eq++;
		if (*eq != '=')
			return 0;
		val = eq + 1;
		bool quoted = *val == '"';
		if (quoted)
			val++;
		vend = val;
		while (*vend &&
		       (quoted ? *vend != '"' : (*vend != ';' && *vend != ' ' && *vend != '\t')))
			vend++;
		if (quoted && *vend != '"')
			return 0;
		size_t nlen = (size_t)(eq - name);
		while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
			nlen--;
		if (ieq(name, nlen, "charset") && !ieq(val, (size_t)(vend - val), "utf-8"))
			out->charset_other = true;
		p = skip_ows(vend + quoted);
		if (*p != '\0' && *p != ';')
			return 0;
	}
	out->params_ok = *p == '\0';
	return 0;
}

bool mtype_json(const char *ct)
{
	struct mtype m;

	return mtype_parse(ct, &m) == 0 && mtype_is(&m, "application/json") && m.params_ok &&
	       !m.charset_other;
}

bool mtype_form(const char *ct)
{
	struct mtype m;

	return mtype_parse(ct, &m) == 0 && mtype_is(&m, "application/x-www-form-urlencoded");
}
