#!/bin/bash
# User data of the NAT instance (network.tf): forward and masquerade the VPC's traffic, and apply
# security updates automatically. Amazon Linux 2023.
set -euo pipefail
dnf install -y iptables-services dnf-automatic
cat > /etc/sysctl.d/90-thaw-nat.conf <<'EOF'
net.ipv4.ip_forward = 1
EOF
sysctl --system
iface="$(ip route show default | awk '{print $5; exit}')"
iptables -t nat -A POSTROUTING -o "$iface" -s "${vpc_cidr}" -j MASQUERADE
iptables -P FORWARD ACCEPT
iptables -F FORWARD
iptables-save > /etc/sysconfig/iptables
systemctl enable --now iptables
sed -i -e 's/^upgrade_type.*/upgrade_type = security/' -e 's/^apply_updates.*/apply_updates = yes/' /etc/dnf/automatic.conf
systemctl enable --now dnf-automatic.timer
