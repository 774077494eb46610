/*
 * content.h: the phase-2 content economy generator (rules section 8, with
 * the R-FWD-1..3 forwarding chains of section 5).
 *
 * A social graph (Barabasi-Albert preferential attachment, CSR adjacency)
 * over the caller's agents 0..n-1; creators who publish priced items; buyers
 * who buy an item from a neighbour that offers it (the direct sharer S), so
 * that every item spreads as a holder tree rooted at its origin O; and, in
 * phase 2, recommenders who find an item anywhere on the graph for a fee.
 * Each block, dn_content_block generates that block's sales and hands each
 * to the caller, who settles it (dnc_chain_pay_content for the R-FWD split,
 * plus the recommendation fee) and says whether the buyer could pay; only a
 * settled sale makes the buyer a holder.
 *
 * What this is not: a money mover (it never touches a ledger), a clock
 * reader or a thread-safe object (one caller, serially, once per block).
 * Every draw comes from sim/engine/rng.h streams keyed by (cfg.seed, height or
 * item, purpose, index); the output is a pure function of the configuration
 * and of the caller's settle answers. See docs/content.md.
 */
#ifndef DN_CONTENT_H
#define DN_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dn_base.h"
#include "dn_chain.h"

#define DN_CONTENT_NONE UINT32_MAX          /* "no agent" (recommender field) */
#define DN_CONTENT_MAX_EDGES_PER_NODE 1024u /* bound on BA m */
#define DN_CONTENT_MAX_SCAN 4096u           /* bound on the per-purchase search knobs */

typedef struct dn_content_cfg {
	uint32_t n;                 /* agents on the social graph: ids 0..n-1 (the caller's agent ids) */
	uint32_t edges_per_node;    /* Barabasi-Albert preferential attachment m (>=1) */
	uint32_t creator_ppm;       /* share of agents that create content */
	uint32_t recommender_ppm;   /* phase 2: share running recommenders (0 = phase 1 only) */
	double items_per_creator_per_day;
	double purchases_per_agent_per_day;
	double resell_probability;  /* a buyer re-offers what it bought to its neighbours (becomes a forwarder) */
	double recommend_probability; /* share of purchases that go through a recommender (phase 2) */
	dn_amount price_min_base, price_max_base; /* item price, drawn per item (log-uniform) */
	uint32_t recommend_fee_ppm; /* requester pays this share of the price to the recommender on top */
	double block_interval_s;
	uint64_t seed;
	/* bounds and search knobs (dn_content_cfg_default fills them) */
	uint32_t max_middlemen;     /* R-FWD-2 chain bound, <= DNC_MAX_MIDDLEMEN: a holder at depth
	                               > max_middlemen + 1 never resells */
	uint32_t max_holdings;      /* total (item, holder) records, origins included; 1..2^32-2 */
	uint32_t max_items;         /* items ever published; 1..2^32-2 */
	uint32_t neighbour_tries;   /* random neighbours a buyer asks per purchase, 1..DN_CONTENT_MAX_SCAN */
	uint32_t offer_scan;        /* newest offers examined per neighbour, 1..DN_CONTENT_MAX_SCAN */
	uint32_t recommend_scan;    /* buyer's neighbours a recommender checks for a nearer seller,
	                               0..DN_CONTENT_MAX_SCAN */
} dn_content_cfg;

typedef struct dn_content_sale {
	uint32_t buyer, origin, seller;   /* seller == origin: a direct sale (R-FWD-3) */
	uint32_t n_middle;                /* middlemen M1..Mk from O towards S (<= DNC_MAX_MIDDLEMEN) */
	uint32_t middle[DNC_MAX_MIDDLEMEN];
	uint32_t recommender;             /* DN_CONTENT_NONE if none */
	uint64_t item;                    /* 0, 1, ... in publication order */
	dn_amount price;                  /* paid to the R-FWD split */
	dn_amount recommend_fee;          /* paid separately by the buyer to the recommender */
} dn_content_sale;

/*
 * Statistics. A struct tag, not a typedef: the function that fills it is
 * called dn_content_stats (the API name), and C gives a typedef and a
 * function one namespace but struct tags another.
 */
struct dn_content_stats {
	/* graph */
	uint32_t n;
	uint64_t edges;                   /* undirected */
	uint32_t degree_max;
	double degree_mean;
	uint32_t creators, recommenders;
	/* content */
	uint64_t blocks;                  /* dn_content_block calls */
	uint64_t items;                   /* published */
	uint64_t items_refused;           /* publications dropped: max_items or max_holdings reached */
	uint64_t holdings;                /* (item, holder) records, origins included */
	uint64_t resellers;               /* holdings that offer (origins included) */
	/* purchases */
	uint64_t attempts;                /* purchase attempts drawn */
	uint64_t no_offer;                /* attempts that found nothing to buy */
	uint64_t refused_full;            /* attempts dropped because max_holdings was reached */
	uint64_t offered;                 /* sales handed to the callback */
	uint64_t sales;                   /* settled (callback returned true) */
	uint64_t unpaid;                  /* callback returned false */
	uint64_t direct_sales;            /* settled with seller == origin (R-FWD-3) */
	uint64_t forwarded_sales;         /* settled with seller != origin (R-FWD-1) */
	uint64_t middlemen_sum;           /* over settled sales */
	uint32_t middlemen_max;
	double middlemen_mean;            /* middlemen_sum / sales (0 without sales) */
	uint64_t recommender_sales;       /* settled through a recommender (phase 2) */
	dn_amount volume_base;            /* sum of settled prices */
	dn_amount recommend_fees_base;    /* sum of settled recommendation fees */
};

/* OUT *cfg: sane defaults (n = 1000, m = 3, 1 % creators, no recommenders,
 * 1 item per creator per day, 2 purchases per agent per day, resell 0.3,
 * prices 0.01..10 DNET, 1 % recommendation fee, 10 s blocks, max_middlemen
 * = DNC_MAX_MIDDLEMEN, 2^24 holdings, 2^22 items, search knobs 4 / 16 / 64). */
void dn_content_cfg_default(dn_content_cfg *cfg);

typedef struct dn_content dn_content;

/*
 * Build the module: validate cfg, draw the Barabasi-Albert graph, the
 * creators and the recommenders. O(n*m) time and about 8*m + 9 bytes per
 * agent (12*m + 9 at the peak of the build). OUT *out (NULL on failure),
 * freed with dn_content_free; nothing to free on failure. DN_EINVAL (NULL,
 * out-of-range cfg, 2*edges >= 2^32), DN_ENOMEM.
 */
DN_WUR dn_rc dn_content_new(const dn_content_cfg *cfg, dn_content **out);
void dn_content_free(dn_content *c);   /* NULL is a no-op */
/* Bytes a content economy of cfg holds after `days` simulated days (every
 * purchase attempt counted as a holding), for estimates. */
double dn_content_footprint(const dn_content_cfg *cfg, double days);

/*
 * The sales of block `height` (generated deterministically from (seed,
 * height) and the module state): first the block's publications, then its
 * purchase attempts. Calls sale(ctx, &s) for each sale in a deterministic
 * order; s is valid only during the call. The callback returns true if the
 * sale was settled (buyer could pay); only then does the buyer receive the
 * item (and may become a forwarder). The callback must not call back into
 * this module except for the const queries. DN_EINVAL (NULL c or sale),
 * DN_ENOMEM (growing an item or holding table failed: the block is cut
 * short, the module stays valid and consistent).
 */
DN_WUR dn_rc dn_content_block(dn_content *c, uint64_t height,
                              bool (*sale)(void *ctx, const dn_content_sale *s), void *ctx);

/* OUT *out: statistics so far. A pure read: calling it never changes a draw. */
void dn_content_stats(const dn_content *c, struct dn_content_stats *out);
size_t dn_content_bytes(const dn_content *c); /* heap memory held now */

/* ---- const queries (graph and holdings) ---- */

/* Degree of agent a (0 if a >= n). */
uint32_t dn_content_degree(const dn_content *c, uint32_t a);
/* Neighbours of a: OUT *deg; a pointer into the CSR array (NULL if a >= n). */
const uint32_t *dn_content_neighbours(const dn_content *c, uint32_t a, uint32_t *deg);
bool dn_content_is_creator(const dn_content *c, uint32_t a);
bool dn_content_is_recommender(const dn_content *c, uint32_t a);
/* Does agent a hold item (as origin or after a settled purchase)? */
bool dn_content_holds(const dn_content *c, uint32_t a, uint64_t item);
/* Does agent a offer item (origin, or a reselling holder within the depth cap)? */
bool dn_content_offers(const dn_content *c, uint32_t a, uint64_t item);
/* Origin and price of an item. DN_EINVAL if item was never published. */
DN_WUR dn_rc dn_content_item(const dn_content *c, uint64_t item, uint32_t *origin,
                             dn_amount *price);

#endif
