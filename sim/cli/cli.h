/*
 * cli.h: the subcommands of the dnetsim program. Each takes the arguments
 * after its own name (argv[0] is the subcommand name) and returns the
 * process exit code: 0 ok, 1 the run failed, 2 usage or scenario error.
 */
#ifndef DN_CLI_H
#define DN_CLI_H

enum { DN_EXIT_OK = 0, DN_EXIT_FAIL = 1, DN_EXIT_USAGE = 2 };

int dn_cmd_run(int argc, char **argv);
int dn_cmd_validate(int argc, char **argv);
int dn_cmd_params(int argc, char **argv);
int dn_cmd_plot(int argc, char **argv);
int dn_cmd_bench(int argc, char **argv);
int dn_cmd_calc(int argc, char **argv);
int dn_cmd_calibrate(int argc, char **argv);
/* `dnetsim sweep` (sweep.c): every member of a scenario's sweep: block. */
int dn_cmd_sweep(int argc, char **argv);
/* `dnetsim check` (check.c): expectations and goldens of scenarios. */
int dn_cmd_check(int argc, char **argv);
/* `dnetsim tune` (tune.c): a scenario's tune: block, run as sweeps. */
int dn_cmd_tune(int argc, char **argv);
/* `calc cell` and `calc mesh` (network models); argv[0] is "cell"/"mesh". */
int dn_cmd_calc_cell(int argc, char **argv);
/* `dnetsim calc whitepaper` (calc_whitepaper.c): the paper's figures audited. */
int dn_cmd_calc_whitepaper(int argc, char **argv);
int dn_cmd_calc_mesh(int argc, char **argv);

#endif
