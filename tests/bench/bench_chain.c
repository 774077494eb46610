/*
 * bench_chain.c: throughput of the protocol library against the issue's
 * targets: Ed25519 credential checks versus raw libsodium verification in
 * the same run, keyed-SipHash credential checks, plain transfers applied
 * (by index and as signed-off transactions), depth-20 Merkle proof checks,
 * and block ends (reward minting and pool payments for 180 delegates).
 * Usage: bench_chain [scale]  (scale 1 = default sizes; 0.1 for a quick run)
 */
#define _POSIX_C_SOURCE 200809L
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dn_chain.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t sm_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static void die(const char *what, dnc_rc rc)
{
	fprintf(stderr, "bench_chain: %s: %s\n", what, dnc_rc_name(rc));
	exit(1);
}

#define CHECK(what, expr) do { dnc_rc rc_ = (expr); if (rc_) die(what, rc_); } while (0)

/* credentials: n distinct signed credentials of one session, checked */
static double bench_creds(const dnc_sigscheme *s, long n, double *raw_per_s)
{
	dnc_ledger *L;
	dnc_sessions t;
	dnc_pubkey pk[2];
	uint8_t sk[2][DNC_SK_BYTES], seed[32] = {1};
	dnc_acct a[2];
	dnc_credential *c = malloc((size_t)n * sizeof *c);
	dnc_hash chain;
	uint64_t sid, units;
	long i, ok = 0;
	double t0, t1;
	int k;

	if (!c)
		exit(1);
	CHECK("ledger", dnc_ledger_create(4, INT64_C(1) << 60, &L));
	for (k = 0; k < 2; k++) {
		seed[0] = (uint8_t)(k + 1);
		CHECK("keypair", dnc_sig_keypair(s, seed, &pk[k], sk[k]));
		CHECK("add", dnc_ledger_add(L, &pk[k], &a[k]));
	}
	CHECK("mint", dnc_ledger_mint(L, a[0], INT64_C(1) << 50));
	CHECK("sessions", dnc_sessions_init(&t, 4));
	CHECK("open", dnc_session_open(&t, L, a[0], a[1], 1, UINT64_C(1) << 40, 0, &sid));
	dnc_hash_bytes((const uint8_t *)"bench chain", 11, &chain);
	for (i = 0; i < n; i++) {
		c[i].session_id = sid;
		c[i].total_units = (uint64_t)i + 1;
		c[i].seq = (uint64_t)i;
		CHECK("sign", dnc_credential_sign(s, &chain, &pk[1], sk[0], &c[i]));
	}
	/* alternate library and raw runs, best of three each, so warm-up and
	 * a neighbour's load hit both alike */
	{
		uint8_t msg[DNC_CRED_MSG_BYTES];
		double best_lib = 0, best_raw = 0, r0, r1;
		int round;
		for (round = 0; round < 3; round++) {
			ok = 0;
			t0 = now_s();
			for (i = 0; i < n; i++)
				ok += dnc_session_check(&t, L, s, &chain, a[1], sid, &c[i], &units) == DNC_OK;
			t1 = now_s();
			if (ok != n)
				die("credential check", DNC_EBADSIG);
			if ((double)n / (t1 - t0) > best_lib)
				best_lib = (double)n / (t1 - t0);
			if (!raw_per_s)
				continue;
			ok = 0;
			r0 = now_s();
			for (i = 0; i < n; i++) {
				dnc_credential_message(&c[i], msg);
				ok += crypto_sign_verify_detached(c[i].sig.b, msg, sizeof msg,
								  pk[0].b) == 0;
			}
			r1 = now_s();
			if (ok != n)
				die("raw verify", DNC_EBADSIG);
			if ((double)n / (r1 - r0) > best_raw)
				best_raw = (double)n / (r1 - r0);
		}
		if (raw_per_s)
			*raw_per_s = best_raw;
		t0 = 0;
		t1 = (double)n / best_lib;
	}
	dnc_sessions_free(&t);
	dnc_ledger_destroy(L);
	free(c);
	return (double)n / (t1 - t0);
}

static dnc_ledger *big_ledger(uint32_t n)
{
	dnc_ledger *L;
	dnc_pubkey pk;
	dnc_acct a;
	uint64_t s = 42;
	uint32_t i, k;
	CHECK("ledger", dnc_ledger_create(n + 4, INT64_C(7500000000) * DNC_UNITS_PER_DNET, &L));
	for (i = 0; i < n; i++) {
		for (k = 0; k < 4; k++) {
			uint64_t v = sm_next(&s);
			memcpy(pk.b + 8 * k, &v, 8);
		}
		CHECK("add", dnc_ledger_add(L, &pk, &a));
		CHECK("mint", dnc_ledger_mint(L, a, 1000 * DNC_UNITS_PER_DNET));
	}
	return L;
}

int main(int argc, char **argv)
{
	double scale = argc > 1 ? atof(argv[1]) : 1.0;
	long n_ed = (long)(50000 * scale), n_kb = (long)(3000000 * scale);
	long n_tr = (long)(20000000 * scale), n_mk = (long)(200000 * scale);
	uint32_t n_acct = 1000000;
	dnc_sigscheme ed, kb;
	uint8_t key[32] = "benchmark scheme key";
	double raw, lib, kps, t0, t1;

	if (scale <= 0)
		scale = 1;
	if (sodium_init() < 0)
		return 1;
	CHECK("ed25519", dnc_sig_init_ed25519(&ed));
	CHECK("keyed", dnc_sig_init_keyed(&kb, key));
	printf("# bench_chain scale %.2f\n", scale);
	printf("%-44s %14s %s\n", "measure", "value", "unit");

	/* 1. Ed25519 credentials vs raw libsodium (same messages, same run) */
	lib = bench_creds(&ed, n_ed, &raw);
	printf("%-44s %14.0f %s\n", "raw libsodium Ed25519 verify", raw, "/s");
	printf("%-44s %14.0f %s\n", "credential check, Ed25519 scheme", lib, "/s");
	printf("%-44s %14.1f %s\n", "  overhead vs raw verify", 100.0 * (raw / lib - 1.0), "%");

	/* 1b. libsodium's bare signing and key derivation (the floor of
	 * tests/bench/signature_floor.sh), best of three */
	{
		uint8_t seed[32] = {7}, pkb[32], skb[64], msg[96] = {3}, sig[64];
		long i, n = n_ed;
		double best_sign = 0, best_kp = 0;
		for (int round = 0; round < 3; round++) {
			t0 = now_s();
			for (i = 0; i < n; i++) {
				seed[0] = (uint8_t)i, seed[1] = (uint8_t)(i >> 8);
				crypto_sign_seed_keypair(pkb, skb, seed);
			}
			t1 = now_s();
			if ((double)n / (t1 - t0) > best_kp)
				best_kp = (double)n / (t1 - t0);
			t0 = now_s();
			for (i = 0; i < n; i++) {
				msg[0] = (uint8_t)i, msg[1] = (uint8_t)(i >> 8);
				crypto_sign_detached(sig, NULL, msg, sizeof msg, skb);
			}
			t1 = now_s();
			if ((double)n / (t1 - t0) > best_sign)
				best_sign = (double)n / (t1 - t0);
		}
		printf("%-44s %14.0f %s\n", "raw libsodium Ed25519 sign", best_sign, "/s");
		printf("%-44s %14.0f %s\n", "raw libsodium Ed25519 seed keypair", best_kp, "/s");
	}

	/* 2. keyed-SipHash credentials */
	kps = bench_creds(&kb, n_kb, NULL);
	printf("%-44s %14.0f %s\n", "credential check, keyed-SipHash scheme", kps, "/s");
	/* keyed signatures of transaction-sized messages (the world's are 96-255 bytes) */
	for (size_t len = 150; len <= 250; len += 100) {
		uint8_t msg[256] = {0}, seed[32] = {7}, sk[DNC_SK_BYTES];
		dnc_pubkey pk;
		dnc_sig sg;
		if (dnc_sig_keypair(&kb, seed, &pk, sk))
			return 1;
		long i, n = (long)(1000000 * scale);
		t0 = now_s();
		for (i = 0; i < n; i++) {
			msg[0] = (uint8_t)i;
			if (dnc_sig_sign(&kb, sk, msg, len, &sg))
				return 1;
			msg[1] ^= sg.b[0];
		}
		t1 = now_s();
		printf("keyed-SipHash sign, %zu-byte message%*s %14.0f %s\n", len, 17, "", (double)n / (t1 - t0), "/s");
	}
	{
		uint8_t in[64] = {0}, out[32];
		long i, n = (long)(2000000 * scale);
		t0 = now_s();
		for (i = 0; i < n; i++) {
			in[0] = (uint8_t)i;
			crypto_generichash(out, 32, in, 64, NULL, 0);
			in[1] ^= out[0];
		}
		t1 = now_s();
		printf("%-44s %14.3f %s\n", "raw BLAKE2b-256 of 64 bytes", 1e6 * (t1 - t0) / (double)n,
		       "us");
	}

	/* 3. plain transfers by index over 1M accounts */
	{
		dnc_ledger *L = big_ledger(n_acct);
		uint32_t *from = malloc((size_t)n_tr * sizeof *from);
		uint32_t *to = malloc((size_t)n_tr * sizeof *to);
		uint64_t s = 7;
		long i, ok = 0;
		if (!from || !to)
			return 1;
		for (i = 0; i < n_tr; i++) {
			from[i] = (uint32_t)(sm_next(&s) % n_acct);
			to[i] = (uint32_t)(sm_next(&s) % n_acct);
		}
		t0 = now_s();
		for (i = 0; i < n_tr; i++)
			ok += dnc_ledger_transfer(L, from[i], to[i], 1 + (dn_amount)(i & 1023)) == DNC_OK;
		t1 = now_s();
		printf("%-44s %14.0f %s\n", "plain transfers by index, 1M accounts",
		       (double)n_tr / (t1 - t0), "/s");
		if (ok != n_tr)
			die("transfers", DNC_EINSUFFICIENT);
		/* by public key (hash lookup of both ends) */
		t0 = now_s();
		for (i = 0; i < n_tr / 4; i++) {
			dnc_acct f = dnc_ledger_find(L, dnc_ledger_pk(L, from[i]));
			dnc_acct g = dnc_ledger_find(L, dnc_ledger_pk(L, to[i]));
			ok += dnc_ledger_transfer(L, f, g, 1) == DNC_OK;
		}
		t1 = now_s();
		printf("%-44s %14.0f %s\n", "plain transfers by public key, 1M accounts",
		       (double)(n_tr / 4) / (t1 - t0), "/s");
		t0 = now_s();
		CHECK("conservation", dnc_ledger_check_conservation(L));
		t1 = now_s();
		printf("%-44s %14.1f %s\n", "conservation scan, 1M accounts", 1e3 * (t1 - t0), "ms");
		free(from);
		free(to);
		dnc_ledger_destroy(L);
	}

	/* 4. transfer transactions through the chain (nonce, fee, lookup) */
	{
		dnc_params p;
		dnc_chain_limits lim = { 100010, 4, 4 };
		dnc_chain *c;
		dnc_pubkey f;
		dnc_tx *tx;
		uint32_t n_u = 100000, i;
		long n = (long)(2000000 * scale), k, ok = 0;
		uint64_t s = 9;
		dnc_pubkey *pk = malloc((size_t)n_u * sizeof *pk);
		tx = calloc(1, sizeof *tx);
		if (!pk || !tx)
			return 1;
		dnc_params_default(&p);
		p.check_conservation = 0;
		memset(&f, 0xfe, sizeof f);
		CHECK("chain", dnc_chain_create(&p, &ed, &lim, &f, &c));
		for (i = 0; i < n_u; i++) {
			dnc_acct a;
			uint32_t w;
			for (w = 0; w < 4; w++) {
				uint64_t v = sm_next(&s);
				memcpy(pk[i].b + 8 * w, &v, 8);
			}
			CHECK("add", dnc_ledger_add(dnc_chain_ledger(c), &pk[i], &a));
			CHECK("gen", dnc_chain_genesis(c, a, DNC_GEN_SALE, 1000 * DNC_UNITS_PER_DNET));
		}
		tx->type = DNC_TX_TRANSFER;
		tx->chain = *dnc_chain_id(c);
		tx->u.transfer.amount = 1;
		t0 = now_s();
		for (k = 0; k < n; k++) {
			uint32_t a = (uint32_t)(sm_next(&s) % n_u), b = (uint32_t)(sm_next(&s) % n_u);
			tx->from = pk[a];
			tx->nonce = dnc_ledger_nonce(dnc_chain_ledger(c), (dnc_acct)a + 2);
			tx->u.transfer.to = pk[b];
			ok += dnc_chain_apply_tx(c, tx, 0, 0, NULL) == DNC_OK;
		}
		t1 = now_s();
		if (ok != n)
			die("transfer tx", DNC_EBADNONCE);
		printf("%-44s %14.0f %s\n", "transfer transactions applied (no sig check)",
		       (double)n / (t1 - t0), "/s");
		dnc_chain_destroy(c);
		free(pk);
		free(tx);
	}

	/* 5. depth-20 Merkle proofs */
	{
		uint64_t nl = UINT64_C(1) << 20, i;
		dnc_hash *leaves = malloc(nl * sizeof *leaves), root;
		dnc_merkle_tree t;
		dnc_merkle_proof *pr = malloc(1024 * sizeof *pr);
		long k, ok = 0;
		if (!leaves || !pr)
			return 1;
		for (i = 0; i < nl; i++)
			dnc_merkle_leaf((const uint8_t *)&i, sizeof i, &leaves[i]);
		t0 = now_s();
		CHECK("tree", dnc_merkle_tree_build(leaves, nl, &t));
		t1 = now_s();
		printf("%-44s %14.1f %s\n", "Merkle tree build, 2^20 leaves", 1e3 * (t1 - t0), "ms");
		dnc_merkle_tree_root(&t, &root);
		for (k = 0; k < 1024; k++)
			CHECK("proof", dnc_merkle_tree_proof(&t, (uint64_t)k * 1021 % nl, &pr[k]));
		t0 = now_s();
		for (k = 0; k < n_mk; k++) {
			const dnc_merkle_proof *p = &pr[k & 1023];
			ok += dnc_merkle_verify(&root, &leaves[p->index], p) == DNC_OK;
		}
		t1 = now_s();
		if (ok != n_mk)
			die("merkle", DNC_EPROOF);
		printf("%-44s %14.2f %s\n", "depth-20 Merkle proof check", 1e6 * (t1 - t0) / (double)n_mk,
		       "us");
		dnc_merkle_tree_free(&t);
		free(leaves);
		free(pr);
	}

	/* 6. block ends: mint + pay 180 pools, with 1M voters staked */
	{
		dnc_params p;
		dnc_chain_limits lim = { n_acct + 16, 4, 4 };
		dnc_chain *c;
		dnc_pubkey f;
		dnc_delegate_set *ds = calloc(1, sizeof *ds);
		dnc_ledger *L;
		uint64_t s = 11;
		uint32_t i, w;
		long nb = (long)(8640 * scale), b;
		if (!ds)
			return 1;
		dnc_params_default(&p);
		p.check_conservation = 0;
		memset(&f, 0xfd, sizeof f);
		CHECK("chain", dnc_chain_create(&p, &ed, &lim, &f, &c));
		L = dnc_chain_ledger(c);
		for (i = 0; i < n_acct; i++) {
			dnc_pubkey pk;
			dnc_acct a;
			for (w = 0; w < 4; w++) {
				uint64_t v = sm_next(&s);
				memcpy(pk.b + 8 * w, &v, 8);
			}
			CHECK("add", dnc_ledger_add(L, &pk, &a));
			CHECK("gen", dnc_chain_genesis(c, a, DNC_GEN_SALE, 100 * DNC_UNITS_PER_DNET));
		}
		/* every agent stakes on one of 90 stake delegates */
		for (i = 0; i < n_acct; i++)
			CHECK("vote", dnc_ledger_vote(L, i + 2, 2 + (uint32_t)(sm_next(&s) % 90),
						      10 * DNC_UNITS_PER_DNET, 0));
		for (i = 0; i < 180; i++) {
			ds->seat[i].acct = 2 + i;
			ds->seat[i].kind = i < 90 ? DNC_SEAT_STAKE : i < 135 ? DNC_SEAT_VOLUME : DNC_SEAT_QUALITY;
			ds->seat[i].score = 1 + sm_next(&s) % 1000;
		}
		ds->n = 180;
		ds->n_kind[0] = 90;
		ds->n_kind[1] = 45;
		ds->n_kind[2] = 45;
		CHECK("delegates", dnc_chain_set_delegates(c, ds));
		t0 = now_s();
		for (b = 0; b < nb; b++) {
			/* each block: 100 network-sharing payments (2 relays) */
			for (i = 0; i < 100; i++) {
				dnc_acct rel[2] = { (dnc_acct)(2 + sm_next(&s) % n_acct),
						    (dnc_acct)(2 + sm_next(&s) % n_acct) };
				CHECK("share", dnc_chain_pay_share(c, (dnc_acct)(2 + sm_next(&s) % n_acct),
								   (dnc_acct)(2 + sm_next(&s) % n_acct), rel, 2,
								   NULL, 1000, NULL));
			}
			CHECK("end block", dnc_chain_end_block(c, (uint32_t)(b % 180), (dnc_time_s)b * 10, NULL));
		}
		t1 = now_s();
		printf("%-44s %14.1f %s\n", "block end (mint + 180 pools + 100 shares)",
		       1e6 * (t1 - t0) / (double)nb, "us");
		printf("%-44s %14.2f %s\n", "  1M agents x 8,640 blocks would take",
		       (t1 - t0) / (double)nb * 8640, "s");
		/* fee/relay splits by index: share with 2 relays, content with 2 middlemen */
		{
			long n = (long)(4000000 * scale), k;
			t0 = now_s();
			for (k = 0; k < n; k++) {
				dnc_acct rel[2] = { (dnc_acct)(2 + sm_next(&s) % n_acct),
						    (dnc_acct)(2 + sm_next(&s) % n_acct) };
				CHECK("share", dnc_chain_pay_share(c, (dnc_acct)(2 + sm_next(&s) % n_acct),
								   (dnc_acct)(2 + sm_next(&s) % n_acct), rel, 2,
								   NULL, 1000, NULL));
			}
			t1 = now_s();
			printf("%-44s %14.0f %s\n", "relay splits applied (2 relays, by index)",
			       (double)n / (t1 - t0), "/s");
			t0 = now_s();
			for (k = 0; k < n; k++) {
				dnc_acct mid[2] = { (dnc_acct)(2 + sm_next(&s) % n_acct),
						    (dnc_acct)(2 + sm_next(&s) % n_acct) };
				dnc_acct o = (dnc_acct)(sm_next(&s) % n_acct);
				dnc_acct sel = (o + 1 + (dnc_acct)(sm_next(&s) % (n_acct - 1))) % n_acct;
				CHECK("content", dnc_chain_pay_content(c, (dnc_acct)(2 + sm_next(&s) % n_acct),
								       2 + o, mid, 2, 2 + sel, 1000, NULL));
			}
			t1 = now_s();
			printf("%-44s %14.0f %s\n", "content splits applied (2 middlemen, by index)",
			       (double)n / (t1 - t0), "/s");
		}
		t0 = now_s();
		for (i = 0; i < n_acct; i++)
			CHECK("settle", dnc_ledger_settle(L, i + 2, NULL));
		t1 = now_s();
		printf("%-44s %14.1f %s\n", "settle pool rewards of 1M voters", 1e3 * (t1 - t0), "ms");
		CHECK("conservation", dnc_chain_check(c));
		dnc_chain_destroy(c);
		free(ds);
	}
	return 0;
}
