# SPDX-License-Identifier: Apache-2.0
# The private Postfix instances of the benches and the package test: the internal services
# every one needs in its master.cf (smtpd lines and transports are each script's own), and the
# benches' main.cf (loopback only, mail discarded, the milter settings they measure with).
# Source it, then call postfix_base_services, or postfix_bench_main_cf HOSTNAME DIR.
postfix_base_services() {
  cat <<'CF'
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
CF
}

# A bench instance's main.cf: HOSTNAME, its directory DIR (spool, data, maillog under it).
postfix_bench_main_cf() {
  cat <<CF
compatibility_level = 3.6
myhostname = $1
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
queue_directory = $2/spool
data_directory = $2/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $2/maillog
maillog_file_prefixes = /tmp, /var
default_transport = discard
relay_transport = discard
local_transport = discard
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
smtputf8_enable = no
biff = no
default_process_limit = 100
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 5s
milter_command_timeout = 30s
milter_content_timeout = 120s
CF
}
