// Synthetic repositories for the benches: deterministic (seeded), realistic sizes.
import { mkdirSync, writeFileSync, symlinkSync } from "node:fs";
import { join, dirname } from "node:path";

/** Small deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FORMATS = ["iso", "qcow", "vmware", "amazon", "raw-efi", "install-iso", "proxmox", "gce"];
const SERVICES = ["openssh", "nginx", "postgresql", "prometheus", "grafana", "tailscale", "fail2ban", "docker", "redis", "caddy"];

/** A flake that uses nixos-generators (needs migrating). */
export function generatorsFlake(i, r = rng(i)) {
  const n = 1 + Math.floor(r() * 3);
  const images = [];
  for (let k = 0; k < n; k++) {
    const f = FORMATS[(i + k) % FORMATS.length];
    images.push(`      ${f} = nixos-generators.nixosGenerate {
        system = "x86_64-linux";
        modules = [ ./configuration.nix ./hardware.nix ];
        format = "${f}";
      };`);
  }
  return `{
  description = "host ${i}";
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
  inputs.nixos-generators = {
    url = "github:nix-community/nixos-generators";
    inputs.nixpkgs.follows = "nixpkgs";
  };
  outputs = { self, nixpkgs, nixos-generators, ... }: {
    packages.x86_64-linux = {
${images.join("\n")}
    };
  };
}
`;
}

/** An ordinary NixOS module of roughly `size` bytes that has nothing to migrate. */
export function ordinaryModule(i, r = rng(i + 1e6)) {
  const lines = [`# module ${i}`, "{ config, lib, pkgs, ... }:", "let", `  cfg = config.services.custom${i};`, "in", "{"];
  lines.push(`  options.services.custom${i} = {`, `    enable = lib.mkEnableOption "custom service ${i}";`, `    port = lib.mkOption { type = lib.types.port; default = ${1024 + (i % 5000)}; };`, "  };");
  lines.push("  config = lib.mkIf cfg.enable {");
  const k = 4 + Math.floor(r() * 30);
  for (let j = 0; j < k; j++) {
    const s = SERVICES[Math.floor(r() * SERVICES.length)];
    switch (j % 4) {
      case 0: lines.push(`    services.${s}.enable = true;`); break;
      case 1: lines.push(`    environment.systemPackages = with pkgs; [ git curl ${s} htop jq ];`); break;
      case 2: lines.push(`    systemd.services.${s}-${j} = {`, `      wantedBy = [ "multi-user.target" ];`, `      serviceConfig.ExecStart = "\${pkgs.${s}}/bin/${s} --port \${toString cfg.port}";`, "    };"); break;
      default: lines.push(`    networking.firewall.allowedTCPPorts = [ cfg.port ${8000 + j} ];`, `    # keep ${s} settings in sync with the fleet defaults (ticket ${i * 31 + j})`);
    }
  }
  lines.push("  };", "}", "");
  return lines.join("\n");
}

export function configurationModule(i) {
  return `{ pkgs, ... }: {
  networking.hostName = "host${i}";
  users.users.admin = { isNormalUser = true; extraGroups = [ "wheel" ]; };
  environment.systemPackages = [ pkgs.vim ];
  system.stateVersion = "25.05";
}
`;
}

function put(root, rel, text) {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

/**
 * A monorepo of `files` files, `flakes` of which are host flakes that use
 * nixos-generators (each with configuration.nix and hardware.nix next to it);
 * the rest are ordinary modules spread over nested directories. Adds a
 * .gitignore'd directory, node_modules and a `result` symlink, which a run
 * must skip (they are not counted in `files`).
 */
export function generateTree(root, { files = 20000, flakes = 300, seed = 1 } = {}) {
  const r = rng(seed);
  let count = 0;
  for (let i = 0; i < flakes; i++) {
    const dir = `hosts/group${i % 20}/host${i}`;
    put(root, `${dir}/flake.nix`, generatorsFlake(i));
    put(root, `${dir}/configuration.nix`, configurationModule(i));
    put(root, `${dir}/hardware.nix`, ordinaryModule(i + 500000));
    count += 3;
  }
  let i = 0;
  while (count < files) {
    const depth = 1 + Math.floor(r() * 3);
    const parts = ["modules"];
    for (let d = 0; d < depth; d++) parts.push(`d${Math.floor(r() * 12)}`);
    put(root, `${parts.join("/")}/m${i}.nix`, ordinaryModule(i, rng(i + seed * 7919)));
    i++;
    count++;
  }
  put(root, ".gitignore", "/ignored/\n*.bak\n");
  put(root, "ignored/flake.nix", generatorsFlake(999999));
  put(root, "node_modules/pkg/flake.nix", generatorsFlake(999998));
  mkdirSync(join(root, ".git"), { recursive: true });
  try {
    symlinkSync("/nix/store/does-not-exist-result", join(root, "result"));
  } catch {
    // exists already
  }
  return { files: count, flakes };
}

/** `n` independent flakes that all need rewriting, one per directory. */
export function generateFlakes(root, n, seed = 2) {
  for (let i = 0; i < n; i++) {
    const dir = `f${String(i).padStart(4, "0")}`;
    put(root, `${dir}/flake.nix`, generatorsFlake(i + seed * 100000));
    put(root, `${dir}/configuration.nix`, configurationModule(i));
  }
}
