/* test_tmpl.c: the template engine: syntax, context-aware escaping, raw
 * output, errors with file and line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tmpl.h"
#include "i18n.h"

static struct arena a;
static char err[512];
static struct buf out;

static void setup(void) { arena_init(&a, 4096); err[0] = 0; memset(&out, 0, sizeof out); }
static void teardown(void) { arena_free(&a); buf_free(&out); }
TestSuite(tmpl, .init = setup, .fini = teardown);

static const char *
asset(const char *p)
{
	static char b[128];
	snprintf(b, sizeof b, "/static/%s?v=1", p);
	return b;
}

static const char *
render(const char *src, struct tv *root)
{
	struct tmpl_set *s = tmpl_parse_string("t.html", src, err, sizeof err);
	cr_assert_not_null(s, "parse failed: %s", err);
	struct tmpl_env env = {"en", "en_GB", asset};
	out.len = 0;
	cr_assert_eq(tmpl_render(s, "t.html", root, &env, &a, &out), 0);
	tmpl_set_free(s);
	return out.s ? out.s : "";
}

static void
parse_fails(const char *src, const char *msg)
{
	struct tmpl_set *s = tmpl_parse_string("bad.html", src, err, sizeof err);
	cr_assert_null(s, "should not parse: %s", src);
	cr_assert(strstr(err, msg), "error '%s' lacks '%s'", err, msg);
}

Test(tmpl, escapes_text_and_attributes)
{
	struct tv *r = tv_map(&a);
	tv_set_str(r, "x", "<script>alert(\"1\")</script>");
	cr_assert_str_eq(render("<p title=\"{{ x }}\">{{ x }}</p>", r),
	    "<p title=\"&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;\">&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;</p>");
}

Test(tmpl, url_attributes_refuse_script_urls)
{
	struct tv *r = tv_map(&a);
	tv_set_str(r, "u", "javascript:alert(1)");
	tv_set_str(r, "ok", "/en/tag/us");
	cr_assert_str_eq(render("<a href=\"{{ u }}\">x</a><a href='{{ ok }}'>y</a>", r), "<a href=\"#\">x</a><a href='/en/tag/us'>y</a>");
	/* in the middle of a URL the scheme is already fixed: attribute escaping */
	tv_set_str(r, "slug", "javascript:x");
	cr_assert_str_eq(render("<a href=\"/en/tag/{{ slug }}\">x</a>", r), "<a href=\"/en/tag/javascript:x\">x</a>");
}

Test(tmpl, json_ld_context)
{
	struct tv *r = tv_map(&a);
	tv_set_str(r, "t", "A \"quote\" </script>");
	tv_set_int(r, "n", 3);
	cr_assert_str_eq(render("<script type=\"application/ld+json\">{\"h\":{{ t }},\"n\":{{ n }},\"z\":{{ missing }}}</script>", r),
	    "<script type=\"application/ld+json\">{\"h\":\"A \\\"quote\\\" \\u003c/script\\u003e\",\"n\":3,\"z\":null}</script>");
}

Test(tmpl, output_in_unsafe_places_is_a_parse_error)
{
	parse_fails("<p class={{ x }}>", "outside a quoted attribute");
	parse_fails("<script>var x = {{ x }};</script>", "not JSON");
	parse_fails("<style>p { color: {{ c }} }</style>", "bad.html:1");
	parse_fails("<div {{ attrs }}>", "outside a quoted attribute");
}

Test(tmpl, raw_output_only_for_html_values)
{
	struct tv *r = tv_map(&a);
	tv_set(r, "h", tv_html(&a, "<em>ok</em>", 11));
	tv_set_str(r, "s", "<em>no</em>");
	cr_assert_str_eq(render("{{{ h }}}|{{{ s }}}|{{ h }}", r), "<em>ok</em>|&lt;em&gt;no&lt;/em&gt;|&lt;em&gt;ok&lt;/em&gt;");
}

Test(tmpl, conditionals)
{
	struct tv *r = tv_map(&a);
	tv_set_int(r, "n", 2);
	tv_set_str(r, "k", "blog");
	tv_set_str(r, "empty", "");
	cr_assert_str_eq(render("{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% end %}", r), "two");
	cr_assert_str_eq(render("{% if k != \"news\" %}not news{% end %}", r), "not news");
	cr_assert_str_eq(render("{% if not empty %}E{% end %}{% if missing %}M{% else %}m{% end %}", r), "Em");
	cr_assert_str_eq(render("{% if missing.deep.path %}x{% else %}y{% end %}", r), "y");
}

Test(tmpl, loops)
{
	struct tv *r = tv_map(&a);
	struct tv *l = tv_set_list(r, "items");
	const char *names[] = {"a", "b", "c"};
	for (int i = 0; i < 3; i++)
		tv_set_str(tv_push_map(l), "name", names[i]);
	cr_assert_str_eq(render("{% for it in items %}{{ loop.index }}{{ it.name }}{% if loop.first %}F{% end %}{% if loop.last %}L{% end %};{% end %}", r),
	    "1aF;2b;3cL;");
	cr_assert_str_eq(render("{% for it in nothing %}x{% else %}none{% end %}", r), "none");
	cr_assert_str_eq(render("{{ items | count }}", r), "3");
	/* a loop that never reads loop.* makes no loop map; the names still
	 * resolve innermost first, and a nested loop has its own loop */
	cr_assert_str_eq(render("{% for it in items %}{{ it.name }}{% end %}", r), "abc");
	cr_assert_str_eq(render("{% for it in items %}{% for x in items %}{{ loop.index }}{% end %}{{ loop.index }}{{ it.name }} {% end %}", r),
	    "1231a 1232b 1233c ");
	cr_assert_str_eq(render("{% for it in items %}{% with it = loop %}{{ it.index }}{% end %}{{ it.name }}{% end %}", r), "1a2b3c");
	/* without a loop around it, loop is an ordinary name of the page */
	tv_set_str(r, "loop", "outside");
	cr_assert_str_eq(render("{{ loop }}{% for it in items %}{% end %}", r), "outside");
}

Test(tmpl, loop_inside_an_included_template)
{
	/* the for cannot see into the include when it is parsed, so an
	 * include in its body counts as reading loop.* */
	struct tmpl_set *s = tmpl_parse_string("item.html", "{{ loop.index }}:{{ it.name }}{% if not loop.last %},{% end %}", err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(tmpl_add_string(s, "list.html", "{% for it in items %}{% include \"item.html\" %}{% end %}", err, sizeof err), 0, "%s", err);
	struct tv *r = tv_map(&a);
	struct tv *l = tv_set_list(r, "items");
	tv_set_str(tv_push_map(l), "name", "x");
	tv_set_str(tv_push_map(l), "name", "y");
	struct tmpl_env env = {"en", "en_GB", asset};
	out.len = 0;
	cr_assert_eq(tmpl_render(s, "list.html", r, &env, &a, &out), 0);
	cr_assert_str_eq(out.s, "1:x,2:y");
	tmpl_set_free(s);
}

Test(tmpl, block_tags_eat_their_newline)
{
	struct tv *r = tv_map(&a);
	tv_set_bool(r, "t", true);
	cr_assert_str_eq(render("{% if t %}\nyes\n{% end %}\nend", r), "yes\nend");
}

Test(tmpl, with_include_and_comments)
{
	struct tmpl_set *s = tmpl_parse_string("main.html", "A{# hidden #}{% with x = obj %}{% include \"part.html\" %}{% end %}Z", err, sizeof err);
	cr_assert_null(s, "include of a template not yet added must fail");
	cr_assert(strstr(err, "part.html"), "%s", err);
	s = tmpl_parse_string("part.html", "[{{ x.v }}]", err, sizeof err);
	cr_assert_not_null(s, "%s", err);
	cr_assert_eq(tmpl_add_string(s, "main.html", "A{# hidden #}{% with x = obj %}{% include \"part.html\" %}{% end %}Z", err, sizeof err), 0, "%s", err);
	struct tv *r = tv_map(&a);
	tv_set_str(tv_set_map(r, "obj"), "v", "<v>");
	struct tmpl_env env = {"en", "en_GB", asset};
	cr_assert_eq(tmpl_render(s, "main.html", r, &env, &a, &out), 0);
	cr_assert_str_eq(out.s, "A[&lt;v&gt;]Z");
	cr_assert_eq(tmpl_render(s, "nope.html", r, &env, &a, &out), -1);
	tmpl_set_free(s);
}

Test(tmpl, filters_and_functions)
{
	struct tv *r = tv_map(&a);
	tv_set_int(r, "t", 1604534400);   /* 2020-11-05T00:00:00Z */
	tv_set_int(r, "n", 1);
	cr_assert_str_eq(render("{{ t | date \"long\" }}|{{ t | isodate }}", r), "5 November 2020|2020-11-05T00:00:00Z");
	cr_assert_str_eq(render("{{ n | plural \"{0,plural,one{# comment} other{# comments}}\" }}", r), "1 comment");
	cr_assert_str_eq(render("{{ _ \"Untranslated\" }}|{{ missing | default \"dflt\" }}", r), "Untranslated|dflt");
	cr_assert_str_eq(render("<link href=\"{{ asset \"css/site.css\" }}\">", r), "<link href=\"/static/css/site.css?v=1\">");
}

Test(tmpl, errors_name_file_and_line)
{
	parse_fails("line1\nline2\n{{ x \n", "bad.html:3: missing }}");
	parse_fails("a\n{% if x %}\nb\n", "bad.html:2");
	parse_fails("{% end %}", "without an open block");
	parse_fails("{% bogus %}", "unknown tag");
	parse_fails("{{ x | nosuch }}", "unknown filter 'nosuch'");
	parse_fails("{{ x y }}", "unexpected");
	parse_fails("{{ \"unterminated }}", "missing }}");
	parse_fails("{% for x items %}{% end %}", "expected {% for NAME in EXPR %}");
}

Test(tmpl, plural_pattern_checked_at_parse)
{
	cr_assert_null(tmpl_parse_string("p.html", "{{ n | plural \"{0}\" }}", err, sizeof err), "found by the fuzzer: ICU read the count as a string");
	cr_assert(strstr(err, "plural"), "%s", err);
	struct tmpl_set *ok = tmpl_parse_string("p.html", "{{ n | plural \"{0,plural,one{# x} other{# xs}}\" }}", err, sizeof err);
	cr_assert_not_null(ok, "%s", err);
	tmpl_set_free(ok);
}

Test(tmpl, setting_a_key_again_replaces_its_value)
{
	/* a page sets defaults first and a handler overrides some of them */
	struct tv *r = tv_map(&a);
	cr_assert_not(tv_get(r, "title"), "an empty map has no keys");
	tv_set_str(r, "title", "Default");
	tv_set_int(r, "n", 1);
	char key[] = "title";   /* the same name at another address */
	tv_set_str(r, key, "Chosen");
	tv_set_int(r, "n", 2);
	cr_assert_str_eq(tv_get_str(r, "title"), "Chosen");
	cr_assert_eq(tv_get(r, "n")->u.i, 2);
	cr_assert_str_eq(render("{{ title }} {{ n }}{% if empty %}!{% end %}{% if r %}?{% end %}", r), "Chosen 2");
	tv_set_map(r, "empty");
	tv_set_str(tv_set_map(r, "r"), "k", "v");
	cr_assert_str_eq(render("{% if empty %}!{% end %}{% if r %}{{ r.k }}{% end %}", r), "v");
}
