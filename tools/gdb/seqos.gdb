# seqos gdb script, loaded by `make debug` (tools/qemu-run --gdb --debugger) after
# `target remote`. It loads the Python helpers (tools/gdb/seqos.py) and arms the seed
# article's breakpoints: every hit of __sys_sendto, sock_sendmsg, tcp_sendmsg, ...,
# __sys_recvfrom, sock_recvmsg is logged as
#     seqos-step N function context preempt=...
# and the kernel runs on. `continue` to start; then in the VM run the seed exchange (or
# `ping 127.0.0.1 1` for the IP steps over loopback). Ctrl-C gives the prompt back.
#
#   seqos-threads  seqos-ctx  seqos-sockets  seqos-skb ADDR
#   seqos-steps [FUNC...]  seqos-steps-stop FUNC [N]  seqos-steps-log  seqos-steps-clear
#   seqos-steps-file PATH
# `help user-defined` lists them with one line each.

python
import os
import sys
_seqos_cands = []
_pf = gdb.current_progspace().filename
if _pf:
    _seqos_cands.append(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(_pf))), "tools", "gdb"))
_seqos_cands += [os.path.join(os.environ.get("SEQOS_ROOT", os.getcwd()), "tools", "gdb"), os.getcwd()]
for _d in _seqos_cands:
    if os.path.exists(os.path.join(_d, "seqos.py")):
        gdb.execute("source " + os.path.join(_d, "seqos.py"))
        break
else:
    print("seqos.gdb: tools/gdb/seqos.py not found (run gdb from the source tree)")
end

set print pretty on
seqos-steps
