package main

import (
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"scs"
	"scs/store"
)

const accountsUsage = `scs accounts create --role ROLE --name NAME [--citizen ID] [--department DEPT] [--db PATH|URL]
       scs accounts list [--db PATH|URL]
       scs accounts revoke ID [--db PATH|URL]

Manages the registry's accounts. Roles: citizen (bound to one citizen with
--citizen), official (bound to a department with --department), reviewer,
admin, teacher (opens classes at /class/new). create prints the new account's token alone on standard output; it
is shown only then (the database keeps only its hash). revoke stops a
token working at once.`

func cmdAccounts(e *env, args []string) error {
	fs := newFlags(e, "accounts", accountsUsage)
	dbf := addDBFlags(e, fs)
	role := fs.String("role", "", "create: the account's `ROLE` (citizen, official, reviewer, admin, teacher)")
	name := fs.String("name", "", "create: the account's `NAME`")
	citizen := fs.String("citizen", "", "create: the citizen `ID` a citizen account is bound to")
	dept := fs.String("department", "", "create: the `DEPARTMENT` an official account reports for")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("accounts: want a subcommand: create, list or revoke")
	}
	sub := pos[0]
	switch sub {
	case "create":
		if len(pos) != 1 {
			return usagef("accounts create: unexpected argument %q", pos[1])
		}
		if *role == "" || *name == "" {
			return usagef("accounts create: --role and --name are required")
		}
	case "list":
		if len(pos) != 1 {
			return usagef("accounts list: unexpected argument %q", pos[1])
		}
	case "revoke":
		if len(pos) != 2 {
			return usagef("accounts revoke: want one account ID")
		}
	default:
		return usagef("accounts: unknown subcommand %q (want create, list or revoke)", sub)
	}
	db, err := dbf.open(e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	by := store.Operator()
	switch sub {
	case "create":
		_, token, err := db.CreateAccount(e.ctx, by, scs.Account{Name: *name, Role: *role, Citizen: *citizen, Department: *dept})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, token)
	case "list":
		accs, err := db.Accounts(e.ctx, by)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tROLE\tNAME\tCITIZEN\tDEPARTMENT\tCREATED\tREVOKED")
		for _, a := range accs {
			rev := "-"
			if a.Revoked != nil {
				rev = a.Revoked.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Role, a.Name, orDash(a.Citizen), orDash(a.Department), a.Created.Format(time.RFC3339), rev)
		}
		return tw.Flush()
	case "revoke":
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil || id <= 0 {
			return usagef("accounts revoke: %q is not an account id", pos[1])
		}
		if err := db.RevokeAccount(e.ctx, by, id); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "scs accounts: account %d revoked\n", id)
	}
	return nil
}
