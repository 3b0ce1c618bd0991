/* One run: server up, proxy if any, clients connected, tracer attached, go, wait, collect. */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int run_one(const struct wl_spec *w, const struct tr_spec *t, const struct tr_env *env,
	    const struct wl_opts *o, struct sample *out, char *err, size_t errlen)
{
	struct wl_run wr;
	struct tr_run tr;
	struct wl_opts wo = *o;
	memset(out, 0, sizeof(*out));
	memset(&tr, 0, sizeof(tr));
	tr.pid = -1;
	tr.err_fd = -1;
	int rc = -1;
	if (wl_start_server(w, o, &wr, err, errlen))
		goto out;
	if (t->kind == TR_SOCAT) {
		if (tr_start_proxy(t, env, &wr, &tr, err, errlen))
			goto out;
		wo.connect_path = tr.proxy_path;
	}
	if (wl_start_client(w, &wo, &wr, err, errlen))
		goto out;
	if (tr_start(t, env, &wr, &tr, err, errlen))
		goto out;
	tr_mark_go(&tr);
	wl_go(&wr);
	/* Generous: a traced client may sit in one slow send when its time is up. */
	if (wl_wait(&wr, o->duration + 60 + (o->count ? 60 : 0), err, errlen))
		goto out;
	struct tr_result res;
	if (tr_finish(&tr, &res, err, errlen))
		goto out;

	double secs = (double)(wr.sh->t_end - wr.sh->t_go) / 1e9;
	if (secs <= 0 || wr.sh->msgs == 0) {
		snprintf(err, errlen, "workload sent nothing");
		goto out;
	}
	out->msgs = wr.sh->msgs;
	/* unixcap records every send, and every receive that installs passed fds. */
	out->expected = wr.sh->msgs + (tr_counts_fd_recvs(t) ? wr.sh->fd_recvs : 0);
	out->msgs_per_s = (double)wr.sh->msgs / secs;
	out->bytes_per_s = (double)wr.sh->bytes / secs;
	if (t->kind == TR_NONE)
		out->captured_ratio = 0;
	else if (res.bytes_only)
		out->captured_ratio = (double)res.captured_bytes / (double)wr.sh->bytes;
	else
		out->captured_ratio = (double)res.captured / (double)out->expected;
	out->cpu_us_per_msg = (double)res.cpu_ns / 1e3 / (double)wr.sh->msgs;
	out->cpu_share = (double)res.cpu_ns / 1e9 / secs;
	out->captured = res.captured;
	out->dropped = res.dropped;
	out->out_bytes = res.out_bytes;
	snprintf(out->backend, sizeof(out->backend), "%s", res.backend);
	rc = 0;
out:
	if (rc)
		tr_abort(&tr);
	wl_free(&wr);
	return rc;
}

void cell_run(struct cell *c, const struct tr_env *env, const struct wl_opts *o, bool verbose)
{
	if (c->skip || c->n >= UB_MAX_RUNS)
		return;
	char err[512] = "";
	struct sample s;
	if (run_one(c->w, c->t, env, o, &s, err, sizeof(err))) {
		fprintf(stderr, "unixbench: %s under %s: %s\n", c->w->label, c->t->label, err);
		if (!c->error)
			c->error = strdup(err);
		return;
	}
	c->s[c->n++] = s;
	if (verbose)
		fprintf(stderr, "  %-14s %-26s %12.0f msgs/s %9.1f MB/s captured %.4f dropped %llu "
				"cpu %.2f us/msg\n",
			c->w->label, c->t->label, s.msgs_per_s, s.bytes_per_s / 1e6,
			s.captured_ratio, (unsigned long long)s.dropped, s.cpu_us_per_msg);
}

void cell_summarize(const struct cell *c, struct cell_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->bytes_only = c->t->kind == TR_SOCAT;
	if (c->n == 0)
		return;
	double v[5][UB_MAX_RUNS];
	for (int i = 0; i < c->n; i++) {
		v[0][i] = c->s[i].msgs_per_s;
		v[1][i] = c->s[i].bytes_per_s;
		v[2][i] = c->s[i].captured_ratio;
		v[3][i] = c->s[i].cpu_us_per_msg;
		v[4][i] = c->s[i].cpu_share;
		if (c->s[i].dropped > s->dropped_max)
			s->dropped_max = c->s[i].dropped;
		s->dropped_total += c->s[i].dropped;
		if (c->s[i].backend[0])
			snprintf(s->backend, sizeof(s->backend), "%s", c->s[i].backend);
	}
	s->msgs_per_s = ub_median(v[0], c->n);
	s->bytes_per_s = ub_median(v[1], c->n);
	s->captured_ratio = ub_median(v[2], c->n);
	s->cpu_us_per_msg = ub_median(v[3], c->n);
	s->cpu_share = ub_median(v[4], c->n);
}
