// Masquerade for pod traffic that leaves the cluster network, as flannel's ip-masq rules (in an nftables table of
// our own): traffic within the pod network keeps its addresses; pod traffic to anywhere else (but multicast) is
// masqueraded; traffic from outside to another node's pods is masqueraded, to this node's pods it is not.
export const masqueradeTable = 'k8ts-flannel';

/** The `nft -f` script that (re)creates the table: delete-then-add in one transaction. */
export function masqueradeRules(clusterCidr: string): string {
  return [
    `table ip ${masqueradeTable} {}`,
    `delete table ip ${masqueradeTable}`,
    `table ip ${masqueradeTable} {`,
    `  chain postrouting {`,
    `    type nat hook postrouting priority srcnat; policy accept;`,
    `    ip saddr ${clusterCidr} ip daddr ${clusterCidr} return`,
    `    ip saddr ${clusterCidr} ip daddr != 224.0.0.0/4 masquerade fully-random`,
    `    ip saddr != ${clusterCidr} ip daddr ${clusterCidr} oifname != "cni0" masquerade fully-random`,
    `  }`,
    `}`,
    '',
  ].join('\n');
}
