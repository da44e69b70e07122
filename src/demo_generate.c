/* demo_generate.c: `gazette demo --articles N` — grows the demo newsroom
 * to N articles of generated text (sections, categories, tags, authors and
 * translations drawn at random, dates over eight years) so that costs can
 * be measured at 1,000 or 100,000 articles. One transaction; the bodies
 * come from a small pool rendered once. Deterministic: the same N gives
 * the same site. */
#include "site.h"
#include "core/buf.h"
#include "core/i18n.h"
#include "core/markdown.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *subjects[3][10] = {
	{"City council", "Regional port", "University lab", "Farmers' union", "Transit agency", "Small publisher",
	 "Coastal town", "Water utility", "Football club", "Energy cooperative"},
	{"El ayuntamiento", "El puerto regional", "Un laboratorio universitario", "La unión de agricultores",
	 "La agencia de transporte", "Una pequeña editorial", "Un pueblo costero", "La empresa de aguas",
	 "El club de fútbol", "Una cooperativa energética"},
	{"A câmara municipal", "O porto regional", "Um laboratório universitário", "O sindicato rural",
	 "A agência de transportes", "Uma pequena editora", "Uma cidade costeira", "A companhia de águas",
	 "O clube de futebol", "Uma cooperativa de energia"},
};
static const char *predicates[3][10] = {
	{"weighs a new budget", "opens its records", "plans a second phase", "reaches a late agreement",
	 "faces questions over delays", "tests a pilot scheme", "counts the cost of the storm", "hires more staff",
	 "publishes its first survey", "changes course after protests"},
	{"estudia un nuevo presupuesto", "abre sus archivos", "prepara una segunda fase", "alcanza un acuerdo tardío",
	 "responde por los retrasos", "prueba un plan piloto", "calcula el coste de la tormenta", "contrata más personal",
	 "publica su primera encuesta", "cambia de rumbo tras las protestas"},
	{"avalia um novo orçamento", "abre os seus arquivos", "planeja uma segunda fase", "chega a um acordo tardio",
	 "enfrenta perguntas sobre atrasos", "testa um projeto-piloto", "calcula o custo da tempestade",
	 "contrata mais pessoal", "publica a sua primeira pesquisa", "muda de rumo após protestos"},
};
static const char *sentences[3][6] = {
	{"Officials said the figures would be published in full next month.",
	 "Residents who spoke at the meeting asked for clearer timetables.",
	 "The plan depends on a grant that has not yet been confirmed.",
	 "Similar schemes elsewhere took two years to show results.",
	 "Opposition members called for an independent review.",
	 "The next public hearing is scheduled for the spring."},
	{"Los responsables dijeron que las cifras se publicarán completas el mes que viene.",
	 "Los vecinos que hablaron en la reunión pidieron calendarios más claros.",
	 "El plan depende de una subvención que aún no está confirmada.",
	 "Programas parecidos tardaron dos años en dar resultados en otros lugares.",
	 "La oposición pidió una revisión independiente.",
	 "La próxima audiencia pública está prevista para la primavera."},
	{"Os responsáveis disseram que os números serão publicados na íntegra no próximo mês.",
	 "Os moradores que falaram na reunião pediram calendários mais claros.",
	 "O plano depende de um financiamento que ainda não foi confirmado.",
	 "Programas semelhantes levaram dois anos para mostrar resultados em outros lugares.",
	 "A oposição pediu uma revisão independente.",
	 "A próxima audiência pública está marcada para a primavera."},
};
static const char *langs[3] = {"en", "es", "pt"};
static const char *kinds[3] = {"news", "opinion", "blog"};

#define POOL 24

struct rng { unsigned long long s; };
static unsigned
next(struct rng *r)
{
	r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(r->s >> 33);
}

static long long *
ids_of(struct db_conn *c, const char *taxonomy, int *n)
{
	long long *v = NULL;
	*n = 0;
	struct db_stmt *st = taxonomy ? db_query(c, "SELECT id FROM terms WHERE taxonomy = ?", "s", taxonomy)
	    : db_query(c, "SELECT id FROM authors", "");
	while (db_row(st)) {
		v = xrealloc(v, (size_t)(*n + 1) * sizeof *v);
		v[(*n)++] = db_int(st, 0);
	}
	db_done(st);
	return v;
}

int
demo_generate(struct db *db, long target, char *err, size_t errlen)
{
	struct db_conn *c = db_acquire(db);
	struct arena a;
	arena_init(&a, 65536);
	int rc = -1, nsec, ncat, ntag, nau;
	long long have = db_int1(c, 0, "SELECT count(*) FROM articles", "");
	long long first_new = db_int1(c, 0, "SELECT coalesce(max(id), 0) FROM articles", "");   /* indexed at the end */
	long long *sec = ids_of(c, "section", &nsec);
	long long *cat = ids_of(c, "category", &ncat);
	long long *tag = ids_of(c, "tag", &ntag);
	long long *au = ids_of(c, NULL, &nau);
	char *md[3][POOL], *html[3][POOL];
	memset(md, 0, sizeof md);
	memset(html, 0, sizeof html);
	if (!nsec || !ncat || !ntag || !nau) {
		snprintf(err, errlen, "load the demo taxonomy first");
		goto out;
	}
	struct rng r = {(unsigned long long)target * 2654435761ULL + 7};
	for (int l = 0; l < 3; l++) {
		for (int i = 0; i < POOL; i++) {
			struct buf b = {0};
			for (int p = 0; p < 4; p++) {
				if (p == 2)
					buf_puts(&b, l == 0 ? "## What comes next\n\n" : l == 1 ? "## Lo que viene\n\n" : "## O que vem a seguir\n\n");
				for (int k = 0; k < 3; k++) {
					buf_puts(&b, sentences[l][next(&r) % 6]);
					buf_putc(&b, ' ');
				}
				buf_puts(&b, "\n\n");
			}
			size_t n;
			md[l][i] = buf_detach(&b, NULL);
			html[l][i] = md_render(md[l][i], strlen(md[l][i]), MD_ARTICLE, &n);
		}
	}
	/* one long transaction that rewrites the same index pages again and
	 * again: a large page cache keeps them from spilling to the log */
	if (c->be == &db_sqlite_backend)
		db_exec(c, "PRAGMA cache_size = -262144", "");
	if (db_begin(c) < 0) {
		snprintf(err, errlen, "cannot begin a transaction");
		goto out;
	}
	long long now = (long long)time(NULL), span = 8LL * 365 * 86400;
	for (long long made = have, story = 0; made < target; story++) {
		/* every third story appears in all three editions */
		int neds = story % 3 == 0 ? 3 : 1;
		int first = (int)(story % 3);
		long long group = 0;
		if (neds == 3 && (group = db_insert(c, "INSERT INTO translation_groups (key) VALUES (NULL) RETURNING id", "")) < 0)
			goto dberr;
		long long pub = now - 3600 - (long long)(next(&r) % (unsigned)(span / 60)) * 60;
		long long s = sec[next(&r) % (unsigned)nsec], ca = cat[next(&r) % (unsigned)ncat];
		const char *kind = kinds[next(&r) % 8 < 6 ? 0 : 1 + next(&r) % 2];
		int subj = (int)(next(&r) % 10), pred = (int)(next(&r) % 10), body = (int)(next(&r) % POOL);
		long long t1 = tag[next(&r) % (unsigned)ntag], t2 = tag[next(&r) % (unsigned)ntag];
		long long a1 = au[next(&r) % (unsigned)nau];
		for (int e = 0; e < neds && made < target; e++, made++) {
			int l = neds == 3 ? e : first;
			const char *title = arena_printf(&a, "%s %s (%lld)", subjects[l][subj], predicates[l][pred], story + 1);
			const char *slug = arena_printf(&a, "%s", i18n_slug(&a, title));
			struct article_new an = {
				.edition = langs[l], .kind = kind, .slug = slug, .title = title,
				.standfirst = sentences[l][(subj + pred) % 6], .body_md = md[l][body], .body_html = html[l][body],
				.status = "published", .group = group, .section_id = s, .category_id = ca, .published_at = pub,
			};
			long long id = article_insert(c, &an);
			if (id < 0 ||
			    db_exec(c, "INSERT INTO article_tags (article_id, term_id) VALUES (?, ?)", "ii", id, t1) < 0 ||
			    (t2 != t1 && db_exec(c, "INSERT INTO article_tags (article_id, term_id) VALUES (?, ?)", "ii", id, t2) < 0) ||
			    db_exec(c, "INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, 0)", "ii", id, a1) < 0 ||
			    listings_sync_unindexed(c, id) < 0)
				goto dberr;
			arena_reset(&a);
		}
	}
	if (search_index_after(c, first_new) < 0)
		goto dberr;
	if (db_commit(c) < 0) {
		snprintf(err, errlen, "cannot commit the generated articles");
		goto out;
	}
	rc = 0;
	goto out;
dberr:
	snprintf(err, errlen, "database error while generating (see the log)");
	db_rollback(c);
out:
	for (int l = 0; l < 3; l++)
		for (int i = 0; i < POOL; i++) {
			free(md[l][i]);
			free(html[l][i]);
		}
	free(sec);
	free(cat);
	free(tag);
	free(au);
	arena_free(&a);
	db_release(c);
	return rc;
}
