import Ajv2020 from "ajv/dist/2020";
import { backendsJsonSchema } from "../../../cli/backendsSchema";
import { parseBackends } from "../../../drivers/backends";

/** The lab's backends file, as `cinderblock lab up` writes it (lab/lab.ts, writeLabConfig). */
const LAB = {
  $schema: "./backends.schema.json",
  backends: {
    lab: {
      driver: "lvm",
      volumeGroup: "cinder-volumes",
      lvmType: "thin",
      thinPoolPercent: 50,
      hosts: [
        {
          name: "lab-1",
          address: "127.0.0.1",
          port: 2222,
          user: "root",
          privateKeyPath: "/home/me/.cache/cinderblock/lab/id_ed25519",
          hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBk",
          iscsiPortals: ["127.0.0.1:3260", "10.0.2.2:3260"],
          nvmePortals: ["127.0.0.1:4420", "10.0.2.2:4420"],
        },
      ],
    },
  },
};

const BAD: [string, unknown][] = [
  ["an unknown top-level key", { ...LAB, backend: {} }],
  ["a backend name with a space", { backends: { "my lab": LAB.backends.lab } }],
  ["an unknown driver", { backends: { lab: { ...LAB.backends.lab, driver: "ceph" } } }],
  ["a mistyped backend field", { backends: { lab: { ...LAB.backends.lab, thinPoolPercnt: 50 } } }],
  ["a port out of range", { backends: { lab: { ...LAB.backends.lab, hosts: [{ ...LAB.backends.lab.hosts[0], port: 70000 }] } } }],
  ["a host without an address", { backends: { lab: { ...LAB.backends.lab, hosts: [{ name: "lab-1" }] } } }],
];

describe("the backends file's JSON Schema, generated from the zod schemas", () => {
  const validate = new Ajv2020({ strict: false }).compile(backendsJsonSchema());

  it("accepts the lab's file, $schema key included, as cinderblock does", () => {
    expect(validate(LAB)).toBe(true);
    expect([...parseBackends(LAB).keys()]).toEqual(["lab"]);
  });

  it.each(BAD)("refuses %s, as cinderblock does", (_, file) => {
    expect(validate(file)).toBe(false);
    expect(() => parseBackends(file)).toThrow(/invalid backends configuration/);
  });
});
