package icinga2

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"strconv"
)

// NodeTemplate is the Director Host template for hardware nodes: it sets
// vars.openvz_node, which the apply rules look for, and offers the
// container list as a field.
const NodeTemplate = "vzmon-node"

// Director data types of the fields.
const (
	dataString  = `Icinga\Module\Director\DataType\DataTypeString`
	dataBoolean = `Icinga\Module\Director\DataType\DataTypeBoolean`
	dataArray   = `Icinga\Module\Director\DataType\DataTypeArray`
)

// Basket renders an Icinga Director basket (Director > Configuration
// Baskets > Upload) with the commands, their fields, the Service templates
// and the node Host template, as a Director 1.10+ snapshot lays them out.
// The UUIDs derive from the names, so that uploading a newer basket
// updates the objects of the older one.
func Basket(cmds []*Command, ts []Template) ([]byte, error) {
	fields := map[string]any{}
	nextID := 1
	field := func(varname, caption, help, datatype string) map[string]any {
		id := nextID
		nextID++
		settings := map[string]any{}
		if datatype == dataString {
			settings["visibility"] = "visible"
		}
		fields[strconv.Itoa(id)] = map[string]any{
			"uuid": uuid("Datafield", varname), "varname": varname, "caption": caption,
			"description": help, "datatype": datatype, "format": nil, "settings": settings, "category": nil,
		}
		return map[string]any{"datafield_id": id, "is_required": "n", "var_filter": nil}
	}

	commands := map[string]any{}
	for _, c := range cmds {
		args := map[string]any{}
		vars := map[string]any{}
		var cfields []any
		for _, a := range c.Args {
			arg := map[string]any{"description": a.Help}
			datatype := dataString
			switch a.Kind {
			case Switch:
				arg["set_if"] = "$" + a.Var + "$"
				datatype = dataBoolean
			case List:
				arg["value"] = "$" + a.Var + "$"
				arg["repeat_key"] = true
				datatype = dataArray
			default:
				arg["value"] = "$" + a.Var + "$"
			}
			args[a.Flag] = arg
			if a.Default != "" {
				vars[a.Var] = a.Default
			}
			cfields = append(cfields, field(a.Var, c.Name+" "+a.Flag, a.Help, datatype))
		}
		commands[c.Name] = map[string]any{
			"arguments": args, "command": "PluginContribDir + /" + c.Plugin, "disabled": false,
			"fields": cfields, "imports": []any{}, "is_string": nil, "methods_execute": "PluginCheck",
			"object_name": c.Name, "object_type": "object", "timeout": nil, "vars": vars, "zone": nil,
			"uuid": uuid("Command", c.Name),
		}
	}

	services := map[string]any{}
	for _, t := range ts {
		s := map[string]any{
			"object_name": t.Name, "object_type": "template", "disabled": false, "fields": []any{},
			"imports": []any{}, "notes": t.Notes, "vars": map[string]any{}, "uuid": uuid("ServiceTemplate", t.Name),
		}
		if t.Import != "" {
			s["imports"] = []any{t.Import}
		}
		if t.Command != "" {
			s["check_command"] = t.Command
		}
		if t.Vars != nil {
			s["vars"] = t.Vars
		}
		for k, v := range map[string]int{"max_check_attempts": t.MaxCheckAttempts, "check_interval": t.CheckInterval, "retry_interval": t.RetryInterval} {
			if v > 0 {
				s[k] = v
			}
		}
		services[t.Name] = s
	}

	hosts := map[string]any{NodeTemplate: map[string]any{
		"object_name": NodeTemplate, "object_type": "template", "disabled": false, "imports": []any{},
		"fields": []any{field("openvz_containers", "OpenVZ containers",
			"The node's containers (IDs or names), one service each; check_ubc --list --format director lists them for an import source.", dataArray)},
		"vars": map[string]any{"openvz_node": true}, "uuid": uuid("HostTemplate", NodeTemplate),
	}}

	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	err := enc.Encode(map[string]any{"Command": commands, "ServiceTemplate": services, "HostTemplate": hosts, "Datafield": fields})
	return b.Bytes(), err
}

// uuid is a name-based (version 5 style) UUID for a basket object.
func uuid(kind, name string) string {
	h := sha1.Sum([]byte("vzmon/" + kind + "/" + name))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
