// The variant-only option table against what real nixpkgs declares.
import { describe, expect, it } from "vitest";
import measured from "./data/variant-only-options.json" with { type: "json" };
import { ALL_VARIANTS, OPTION_ENTRIES, classifyOption, imageModule, mayDefineImageOptions } from "../src/variant-options.js";
import { VARIANTS } from "../src/formats.js";

describe("variant-only options", () => {
  it("classifies every option that nixpkgs declares only inside a variant as belonging to it", () => {
    const wrong: string[] = [];
    for (const [variant, paths] of Object.entries(measured.variants)) {
      for (const p of paths) {
        const { own } = classifyOption(p.split("."));
        const ok = own && own.kind !== "harmless" && own.kind !== "generators" && own.variants.includes(variant);
        if (!ok) wrong.push(`${variant}: ${p} -> ${own ? `${own.kind} ${own.variants.join(",")}` : "none"}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("never classifies an option of the base configuration as image-only", () => {
    const wrong = measured.base.filter((p) => {
      const k = classifyOption(p.split(".")).own?.kind;
      return k === "variant" || k === "renamed" || k === "removed" || k === "generators";
    });
    expect(wrong).toEqual([]);
  });

  it("leaves base options alone and sees mixed namespaces", () => {
    expect(classifyOption(["virtualisation", "diskSize"]).own?.kind).toBe("harmless");
    expect(classifyOption(["services", "openssh", "enable"]).own).toBeNull();
    const mixed = classifyOption(["virtualisation"]);
    expect(mixed.own).toBeNull();
    expect(mixed.below.some((e) => e.kind === "variant")).toBe(true);
    expect(classifyOption(["image"]).below.map((e) => e.path.join("."))).toContain("image.fileName");
    // a variant namespace with a rename below it is mixed for the caller
    expect(classifyOption(["vmware"]).below.map((e) => e.path.join("."))).toContain("vmware.vmFileName");
    expect(classifyOption(["proxmox", "qemuConf", "cores"]).below).toEqual([]);
  });

  it("renames the names that no longer exist", () => {
    for (const [from, to] of [
      ["vmware.vmFileName", "image.fileName"], ["virtualisation.vmware.vmFileName", "image.fileName"],
      ["virtualbox.vmFileName", "image.fileName"], ["hyperv.vmFileName", "image.fileName"],
      ["isoImage.isoName", "image.fileName"], ["isoImage.isoBaseName", "image.baseName"],
      ["sdImage.imageName", "image.fileName"], ["sdImage.imageBaseName", "image.baseName"],
      ["amazonImage.name", "image.baseName"], ["amazonImage.sizeMB", "virtualisation.diskSize"],
      ["proxmox.qemuConf.diskSize", "virtualisation.diskSize"], ["hyperv.baseImageSize", "virtualisation.diskSize"],
    ]) {
      const { own } = classifyOption(from!.split("."));
      expect(own?.kind, from).toBe("renamed");
      expect(own?.to?.join("."), from).toBe(to);
    }
    expect(classifyOption(["formatAttr"]).own?.kind).toBe("generators");
    expect(classifyOption(["fileExtension"]).own?.kind).toBe("generators");
  });

  it("names only known variants", () => {
    expect([...ALL_VARIANTS].sort()).toEqual([...VARIANTS].sort());
    for (const e of OPTION_ENTRIES) for (const v of e.variants) expect(ALL_VARIANTS, e.path.join(".")).toContain(v);
  });

  it("knows the nixpkgs modules that build an image", () => {
    expect(imageModule("modules/virtualisation/proxmox-image.nix")).toEqual({ provides: ["proxmox"], includedBy: ["proxmox"] });
    expect(imageModule("modules/installer/cd-dvd/installation-cd-minimal.nix")?.includedBy).toEqual([]);
    expect(imageModule("modules/profiles/qemu-guest.nix")).toBeNull();
  });
});

describe("mayDefineImageOptions (the text check before a module file is parsed)", () => {
  it("lets through every entry of the table, nested, quoted and dotted", () => {
    for (const e of OPTION_ENTRIES) {
      expect(mayDefineImageOptions(`{ ${e.path.join(".")} = x; }`), e.path.join(".")).toBe(true);
      const nested = e.path.reduceRight((inner, k) => `{ "${k}" = ${inner}; }`, "x");
      expect(mayDefineImageOptions(nested), e.path.join(".")).toBe(true);
    }
    expect(mayDefineImageOptions("{ imports = [ ./hardware.nix ]; }")).toBe(true);
    expect(mayDefineImageOptions("{ config = import ./iso-settings.nix; }")).toBe(true);
  });

  it("skips an ordinary module, whose words only look alike", () => {
    const ordinary = `{ config, pkgs, ... }: {
  system.stateVersion = "25.05";
  environment.systemPackages = [ pkgs.vim ];
  systemd.services.web.enable = true;
  networking.hostName = "nixos-image-builder";
  virtualisation.docker.enable = true;
}`;
    expect(mayDefineImageOptions(ordinary)).toBe(false);
  });
});
